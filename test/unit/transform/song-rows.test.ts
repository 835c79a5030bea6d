// songs_data and albums_data (functions/core/transform/song-rows.ts), read back through DuckDB
// from the transformed fixture snapshot: column types, row order, the values of every quirk of
// both API shapes, and items pages that do not tile their playlist.

import { describe, expect, it } from "vitest";
import { RawDataError } from "../../../functions/commons/errors";
import { rawKeys } from "../../../functions/commons/keys";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryObjectStore } from "../../support/memory-object-store";
import {
  ALBUM,
  ARTIST,
  BLUES,
  ROAD_TRIP,
  SNAPSHOT,
  TRACK,
  fixture,
  onTheFixtureSnapshot,
  storeFixtureSnapshot,
} from "../../support/transform-fixture";

describe("transformSnapshot", () => {
  onTheFixtureSnapshot((transformed, { query, columnTypes }) => {
    it("gives songs_data the contract's column types, including a VARCHAR[] list and a TIMESTAMP", async () => {
      const types = await columnTypes(transformed.tableFile("songs_data"));
      expect(types).toEqual({
        playlist_id: "VARCHAR",
        position: "INTEGER",
        song_id: "VARCHAR",
        song_name: "VARCHAR",
        duration_ms: "INTEGER",
        explicit: "BOOLEAN",
        popularity: "INTEGER",
        track_number: "INTEGER",
        disc_number: "INTEGER",
        isrc: "VARCHAR",
        song_url: "VARCHAR",
        album_id: "VARCHAR",
        album_name: "VARCHAR",
        artist_id: "VARCHAR",
        artist_name: "VARCHAR",
        artist_ids: "VARCHAR[]",
        added_at: "TIMESTAMP",
        added_by: "VARCHAR",
      });
    });

    it("writes songs sorted by playlist and position, keeping a track that occurs twice", async () => {
      const { root } = transformed;
      const rows = await query(
        `SELECT playlist_id, position, song_id FROM read_parquet('${root}/songs_data/*/*/*/*.parquet')`,
      );
      expect(rows).toEqual([
        { playlist_id: BLUES, position: 0, song_id: TRACK.theFuneral },
        { playlist_id: BLUES, position: 4, song_id: TRACK.sugar },
        { playlist_id: ROAD_TRIP, position: 0, song_id: TRACK.theFuneral },
        { playlist_id: ROAD_TRIP, position: 4, song_id: TRACK.saoko },
        { playlist_id: ROAD_TRIP, position: 5, song_id: TRACK.theFuneral },
        { playlist_id: ROAD_TRIP, position: 7, song_id: TRACK.svefn },
      ]);
    });

    it("keeps Unicode names with commas, quotes and newlines, null added_at and missing popularity", async () => {
      const { root } = transformed;
      const [saoko] = await query(
        `SELECT song_name, popularity, explicit, isrc, artist_id, artist_name, artist_ids,
                added_at, added_by, album_name, duration_ms
         FROM read_parquet('${root}/songs_data/*/*/*/*.parquet')
         WHERE playlist_id = '${ROAD_TRIP}' AND position = 4`,
      );
      expect(saoko).toEqual({
        song_name: 'SAOKO, "Live" at the\nOlympia – 東京 edit',
        popularity: null,
        explicit: true,
        isrc: "USSM12200610",
        artist_id: ARTIST.rosalia,
        artist_name: "Rosalía",
        artist_ids: [ARTIST.rosalia, ARTIST.jBalvin],
        added_at: null,
        added_by: null,
        album_name: "Motomami",
        duration_ms: 137875,
      });
    });

    it("stores added_at as UTC milliseconds and added_by as the user id (empty id -> null)", async () => {
      const { root } = transformed;
      const rows = await query(
        `SELECT position, epoch_ms(added_at)::VARCHAR AS added_ms, strftime(added_at, '%Y-%m-%dT%H:%M:%S.%g') AS added,
                added_by, popularity, isrc
         FROM read_parquet('${root}/songs_data/*/*/*/*.parquet')
         WHERE playlist_id = '${ROAD_TRIP}' ORDER BY position`,
      );
      expect(rows).toEqual([
        {
          position: 0,
          added_ms: String(Date.UTC(2024, 2, 1, 12, 34, 56)),
          added: "2024-03-01T12:34:56.000",
          added_by: "mia.lindqvist",
          popularity: 68,
          isrc: "USSUB0670403",
        },
        {
          position: 4,
          added_ms: null,
          added: null,
          added_by: null,
          popularity: null,
          isrc: "USSM12200610",
        },
        {
          position: 5,
          added_ms: String(Date.UTC(2024, 2, 5, 10, 0, 0, 250)),
          added: "2024-03-05T10:00:00.250",
          added_by: "jonas",
          popularity: 68,
          isrc: "USSUB0670403",
        },
        {
          position: 7,
          added_ms: String(Date.UTC(2025, 11, 31, 23, 59, 59)),
          added: "2025-12-31T23:59:59.000",
          added_by: null,
          popularity: null,
          isrc: null,
        },
      ]);
    });

    it("accepts entries in the older shape, with the track under `track`", async () => {
      const { root } = transformed;
      const rows = await query(
        `SELECT position, song_name, album_name, artist_name, added_by
         FROM read_parquet('${root}/songs_data/*/*/*/*.parquet') WHERE playlist_id = '${BLUES}'`,
      );
      expect(rows).toEqual([
        {
          position: 0,
          song_name: "The Funeral",
          album_name: "Everything All the Time",
          artist_name: "Band of Horses",
          added_by: "spotify",
        },
        {
          position: 4,
          song_name: "I Want a Little Sugar in My Bowl",
          album_name: "Nina Simone Sings the Blues",
          artist_name: "Nina Simone",
          added_by: "spotify",
        },
      ]);
    });

    it("writes one album row per album of a kept song, with the largest image or null", async () => {
      const path = transformed.tableFile("albums_data");
      expect(await columnTypes(path)).toEqual({
        album_id: "VARCHAR",
        album_name: "VARCHAR",
        album_type: "VARCHAR",
        release_date: "VARCHAR",
        release_date_precision: "VARCHAR",
        total_tracks: "INTEGER",
        album_url: "VARCHAR",
        image_url: "VARCHAR",
        artist_ids: "VARCHAR[]",
      });
      const rows = await query(
        `SELECT album_id, album_name, album_type, release_date, release_date_precision,
                total_tracks, image_url, artist_ids FROM read_parquet('${path}')`,
      );
      // Sorted by album_id, code-unit order (digits < upper case < lower case).
      expect(rows).toEqual([
        {
          album_id: ALBUM.agaetisByrjun,
          album_name: "Ágætis byrjun",
          album_type: "album",
          release_date: "1999",
          release_date_precision: "year",
          total_tracks: 10,
          image_url: null,
          artist_ids: [ARTIST.sigurRos],
        },
        {
          album_id: ALBUM.motomami,
          album_name: "Motomami",
          album_type: "album",
          release_date: "2022-03",
          release_date_precision: "month",
          total_tracks: 16,
          // Listed second in `images`, but the largest.
          image_url: "https://i.scdn.co/image/ab67616d00000640b2",
          artist_ids: [ARTIST.rosalia],
        },
        {
          album_id: ALBUM.everythingAllTheTime,
          album_name: "Everything All the Time",
          album_type: "album",
          release_date: "2006-03-21",
          release_date_precision: "day",
          total_tracks: 10,
          image_url: "https://i.scdn.co/image/ab67616d00000640a1",
          artist_ids: [ARTIST.bandOfHorses],
        },
        {
          album_id: ALBUM.ninaSimoneSingsTheBlues,
          album_name: "Nina Simone Sings the Blues",
          album_type: "album",
          release_date: "1967",
          release_date_precision: "year",
          total_tracks: 11,
          image_url: "https://i.scdn.co/image/ab67616d00000640e5",
          artist_ids: [ARTIST.ninaSimone],
        },
      ]);
    });
  });

  describe("raw data problems", () => {
    it("refuses pages that do not tile the playlist, since positions would collide", async () => {
      // Prepare: the second page claims to start at 4, overlapping the first (0..4).
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const key = rawKeys.itemsPage(SNAPSHOT, ROAD_TRIP, 1);
      const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0001.json`)) as { offset: number };
      await raw.put(key, JSON.stringify({ ...page, offset: 4 }));

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP],
      });

      // Assess
      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(
        `${key} starts at offset 4, but the previous pages end at 5`,
      );
    });
  });
});
