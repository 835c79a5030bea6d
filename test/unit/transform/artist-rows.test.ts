// artists_data (functions/core/transform/artist-rows.ts): rows from batch and single answers,
// with the fields development mode removed as nulls, an artist answered twice, and an answer
// committed with a status the artists step never keeps.

import { describe, expect, it } from "vitest";
import { RawDataError } from "../../../functions/commons/errors";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { join } from "node:path";
import { lakeKeys } from "../../../functions/commons/keys";
import { lakeFiles } from "../../support/lake-files";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { storeArtists, storePlaylist } from "../../support/raw-layer";
import { SPOTIFY_API } from "../../support/spotify-payloads";
import {
  ARTIST,
  BLUES,
  SNAPSHOT,
  fixture,
  onTheFixtureSnapshot,
} from "../../support/transform-fixture";

describe("transformSnapshot", () => {
  onTheFixtureSnapshot((transformed, { query, columnTypes }) => {
    it("writes artists from batch and single responses, with empty genres and nulls where fields were removed", async () => {
      const path = transformed.tableFile("artists_data");
      expect(await columnTypes(path)).toEqual({
        artist_id: "VARCHAR",
        artist_name: "VARCHAR",
        artist_url: "VARCHAR",
        popularity: "INTEGER",
        followers: "BIGINT",
        genres: "VARCHAR[]",
        fetched_at: "TIMESTAMP",
      });
      const rows = await query(
        `SELECT artist_id, artist_name, popularity, followers::VARCHAR AS followers, genres
         FROM read_parquet('${path}')`,
      );
      expect(rows).toEqual([
        {
          artist_id: ARTIST.bandOfHorses,
          artist_name: "Band of Horses",
          popularity: 62,
          followers: "1234567",
          genres: ["indie folk", "indie rock", "modern rock"],
        },
        {
          artist_id: ARTIST.sigurRos,
          artist_name: "Sigur Rós",
          popularity: null,
          followers: null,
          genres: [],
        },
        {
          artist_id: ARTIST.khruangbin,
          artist_name: "Khruangbin",
          popularity: 66,
          followers: "2100000",
          genres: [],
        },
        {
          artist_id: ARTIST.jBalvin,
          artist_name: "J Balvin",
          popularity: null,
          followers: null,
          genres: [],
        },
        {
          artist_id: ARTIST.rosalia,
          artist_name: "Rosalía",
          popularity: 81,
          followers: "15000000",
          genres: ["latin pop", 'pop flamenco, "nuevo"'],
        },
      ]);
    });
  });

  it("keeps the first of an artist returned twice and counts the other as a duplicate", async () => {
    // Prepare: a batch that includes Band of Horses, then the same artist fetched alone.
    const raw = new MemoryObjectStore();
    await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
    const batch = await fixture("artists-batch.json");
    const alone = JSON.stringify((JSON.parse(batch) as { artists: unknown[] }).artists[0]);
    await storeArtists(
      raw,
      SNAPSHOT,
      [
        { body: batch, url: `${SPOTIFY_API}/artists?ids=...`, status: 200 },
        { body: alone, url: `${SPOTIFY_API}/artists/${ARTIST.bandOfHorses}`, status: 200 },
      ],
      [ARTIST.bandOfHorses, ARTIST.gone, ARTIST.khruangbin, ARTIST.rosalia],
      [],
    );

    // Act
    const report = await transformSnapshot({
      rawStore: raw,
      lakeStore: new MemoryObjectStore(),
      snapshot: SNAPSHOT,
      playlistIds: [BLUES],
    });

    // Assess
    expect(report.artists).toEqual({
      read: 5,
      rows: 3,
      duplicates: 1,
      missing: 0,
      quarantined: { null_artist: 1 },
    });
  });

  describe("with stored details", () => {
    const files = lakeFiles();
    it("takes from stored details of earlier hours only the artists it lists, with when they were fetched", async () => {
      // Prepare: the batch was fetched two hours earlier; this hour takes two of its artists,
      // and fetched Band of Horses itself.
      const raw = new MemoryObjectStore();
      await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
      const batch = await fixture("artists-batch.json");
      const alone = JSON.stringify((JSON.parse(batch) as { artists: unknown[] }).artists[0]);
      const earlier = new Date(Date.parse(SNAPSHOT.iso) - 2 * 3_600_000).toISOString();
      await storeArtists(
        raw,
        SNAPSHOT,
        [
          {
            body: alone,
            url: `${SPOTIFY_API}/artists/${ARTIST.bandOfHorses}`,
            status: 200,
            fetchedAt: SNAPSHOT.iso,
            artistIds: [ARTIST.bandOfHorses],
          },
          {
            body: batch,
            url: `${SPOTIFY_API}/artists?ids=...`,
            status: 200,
            fetchedAt: earlier,
            artistIds: [ARTIST.khruangbin, ARTIST.rosalia].sort(),
          },
        ],
        [ARTIST.bandOfHorses, ARTIST.khruangbin, ARTIST.rosalia],
        [],
      );
      const lake = new MemoryObjectStore();

      // Act
      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      // Assess: nothing else of the batch (its null slot included) counts for this hour.
      expect(report.artists).toEqual({
        read: 3,
        rows: 3,
        duplicates: 0,
        missing: 0,
        quarantined: {},
      });
      const root = await files.materialize(lake, "stored-details-lake");
      const rows = await files.query(
        `SELECT artist_id, strftime(fetched_at, '%Y-%m-%dT%H:%M:%S.000Z') AS fetched_at
       FROM read_parquet('${join(root, lakeKeys.tableFile("artists_data", SNAPSHOT, report.version, 0))}')
       ORDER BY artist_id`,
      );
      expect(rows).toEqual(
        [
          { artist_id: ARTIST.bandOfHorses, fetched_at: SNAPSHOT.iso },
          { artist_id: ARTIST.khruangbin, fetched_at: earlier },
          { artist_id: ARTIST.rosalia, fetched_at: earlier },
        ].sort((a, b) => (a.artist_id < b.artist_id ? -1 : 1)),
      );
    });
  });

  describe("raw data problems", () => {
    it("refuses an artists response committed with a status other than 200 or 404", async () => {
      const raw = new MemoryObjectStore();
      await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
      await storeArtists(
        raw,
        SNAPSHOT,
        [
          {
            body: '{"error":{"status":502}}',
            url: `${SPOTIFY_API}/artists/${ARTIST.gone}`,
            status: 502,
          },
        ],
        [ARTIST.gone],
        [],
      );

      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow("status 502");
    });
  });
});
