// playlists_data (functions/core/transform/playlist-rows.ts): one row per playlist from either
// API shape, a body that is another playlist's, and malformed metadata quarantined while the
// playlist's entries are still transformed.

import { describe, expect, it } from "vitest";
import { RawDataError } from "../../../functions/commons/errors";
import { lakeKeys, rawKeys } from "../../../functions/commons/keys";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { storeArtists, storePlaylist } from "../../support/raw-layer";
import { SPOTIFY_API } from "../../support/spotify-payloads";
import {
  BLUES,
  ROAD_TRIP,
  SNAPSHOT,
  fixture,
  onTheFixtureSnapshot,
  storeFixtureSnapshot,
} from "../../support/transform-fixture";

describe("transformSnapshot", () => {
  onTheFixtureSnapshot((transformed, { query, columnTypes }) => {
    it("writes one playlist row per playlist, with the item total of either API shape", async () => {
      const path = transformed.tableFile("playlists_data");
      expect(await columnTypes(path)).toEqual({
        playlist_id: "VARCHAR",
        playlist_name: "VARCHAR",
        description: "VARCHAR",
        owner_id: "VARCHAR",
        owner_name: "VARCHAR",
        snapshot_id: "VARCHAR",
        followers: "BIGINT",
        total_items: "INTEGER",
        public: "BOOLEAN",
        collaborative: "BOOLEAN",
        playlist_url: "VARCHAR",
        available: "BOOLEAN",
        unavailable_status: "INTEGER",
        unavailable_reason: "VARCHAR",
      });
      const rows = await query(
        `SELECT * EXCLUDE (snapshot_id) REPLACE (followers::VARCHAR AS followers)
         FROM read_parquet('${path}', hive_partitioning = false)`,
      );
      expect(rows).toEqual([
        {
          playlist_id: BLUES,
          playlist_name: 'Blues, soul, "etc."',
          description: null,
          owner_id: "old.account",
          owner_name: null,
          followers: "12",
          total_items: 5,
          public: null,
          collaborative: false,
          playlist_url: `https://open.spotify.com/playlist/${BLUES}`,
          available: true,
          unavailable_status: null,
          unavailable_reason: null,
        },
        {
          playlist_id: ROAD_TRIP,
          playlist_name: 'Road trip, 2024 — "night" edition',
          description: 'Songs for a long drive &amp; a short night, "no skips"',
          owner_id: "mia.lindqvist",
          owner_name: "Mia Lindqvist",
          followers: "1523",
          total_items: 8,
          public: false,
          collaborative: false,
          playlist_url: `https://open.spotify.com/playlist/${ROAD_TRIP}`,
          available: true,
          unavailable_status: null,
          unavailable_reason: null,
        },
      ]);
    });
  });

  describe("playlists Spotify refused", () => {
    it("are rows with available = false, Spotify's status and message, and the metadata it still gave", async () => {
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      const GONE = "37i9dQZEVXbMDoHDwVN2tF";
      const refused = (playlistId: string, status: number, playlist: unknown) =>
        raw.put(
          rawKeys.playlistManifest(SNAPSHOT, playlistId),
          JSON.stringify({
            format: 1,
            snapshot: SNAPSHOT.iso,
            playlistId,
            unavailable: { status, reason: status === 404 ? "Resource not found" : "Forbidden" },
            playlist,
          }),
        );
      // Another owner's playlist: its metadata came, its items were refused.
      await raw.put(rawKeys.playlist(SNAPSHOT, BLUES), await fixture(`playlist-${BLUES}.json`));
      await refused(BLUES, 403, {
        key: rawKeys.playlist(SNAPSHOT, BLUES),
        url: `${SPOTIFY_API}/playlists/${BLUES}`,
      });
      await refused(GONE, 404, null);
      await storeArtists(raw, SNAPSHOT, [], [], []);

      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES, GONE],
      });

      expect(report.rows).toEqual({
        songs_data: 0,
        albums_data: 0,
        artists_data: 0,
        playlists_data: 2,
      });
      expect(report.unavailable.count).toBe(2);
      expect(report.unavailable.message).toContain(`${GONE} (404 Resource not found)`);
      expect(report.unavailable.message).toContain(`${BLUES} (403 Forbidden)`);
    });
  });

  describe("raw data problems", () => {
    it("refuses a playlist body that belongs to another playlist", async () => {
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      await raw.put(rawKeys.playlist(SNAPSHOT, BLUES), await fixture(`playlist-${ROAD_TRIP}.json`));

      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(`is not the playlist object of ${BLUES}`);
    });

    it("quarantines a playlist whose metadata is malformed but still transforms its entries", async () => {
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      const body = JSON.parse(await fixture(`playlist-${BLUES}.json`)) as Record<string, unknown>;
      delete body.snapshot_id;
      await storePlaylist(raw, SNAPSHOT, BLUES, JSON.stringify(body), [
        {
          body: await fixture(`tracks-${BLUES}-0000.json`),
          url: `${SPOTIFY_API}/playlists/${BLUES}/tracks`,
        },
      ]);
      await storeArtists(raw, SNAPSHOT, [], [], []);

      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      expect(report.rows.playlists_data).toBe(0);
      expect(report.rows.songs_data).toBe(2);
      expect(report.playlistsQuarantined).toEqual({ missing_snapshot_id: 1 });
      const first = JSON.parse(
        lake.text(lakeKeys.quarantine(SNAPSHOT, report.version))!.split("\n")[0]!,
      );
      expect(first).toMatchObject({
        source: "playlist",
        playlist_id: BLUES,
        reason: "missing_snapshot_id",
      });
      // The first page embedded in the playlist body is left out of the record.
      expect(first.record.tracks.items).toBeUndefined();
      expect(first.record.tracks.total).toBe(5);
    });
  });
});
