// Reruns of the transform (a redrive, a "New execution", reprocess mode): the same raw input
// gives the same version and byte-identical objects under it; other input gives another
// version beside the first, never a mix inside one (publishing then removes the other:
// test/unit/crawl/publish.test.ts).

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lakeKeys, LAKE_TABLES } from "../../../functions/commons/keys";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { lakeFiles } from "../../support/lake-files";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { storeArtists, storePlaylist } from "../../support/raw-layer";
import {
  BLUES,
  ROAD_TRIP,
  SNAPSHOT,
  fixture,
  storeFixtureSnapshot,
} from "../../support/transform-fixture";

const { query, columnTypes, materialize } = lakeFiles();

function lakeObjects(store: MemoryObjectStore): Map<string, Uint8Array> {
  return new Map([...store.objects].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe("transformSnapshot", () => {
  describe("determinism and reruns", () => {
    it("produces byte-identical Parquet files, quarantine file and report from the same raw input", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const first = new MemoryObjectStore();
      const second = new MemoryObjectStore();
      const input = { rawStore: raw, snapshot: SNAPSHOT, playlistIds: [ROAD_TRIP, BLUES] };

      // Act
      await transformSnapshot({ ...input, lakeStore: first });
      // Order of the requested ids must not matter either.
      await transformSnapshot({ ...input, lakeStore: second, playlistIds: [BLUES, ROAD_TRIP] });

      // Assess
      expect(lakeObjects(second)).toEqual(lakeObjects(first));
      expect(first.objects.size).toBe(6);
    });

    it("splits a large table into parts; a rerun with fewer parts writes them as another version", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const input = {
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      };
      const split = await transformSnapshot({ ...input, maxRowsPerFile: 2 });
      const songsPrefix = lakeKeys.versionPrefix("songs_data", SNAPSHOT, split.version);
      expect(await lake.list(songsPrefix)).toHaveLength(3);
      expect(split.files).toBe(3 + 2 + 3 + 1);
      const root = await materialize(lake, "split-lake");
      const [{ n }] = (await query(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${root}/${songsPrefix}*.parquet')`,
      )) as [{ n: number }];
      expect(n).toBe(6);

      // Act
      const rerun = await transformSnapshot(input);

      // Assess: the first version is untouched, the rerun's is complete beside it.
      expect(rerun.version).not.toBe(split.version);
      expect(rerun.files).toBe(4);
      expect(await lake.list(songsPrefix)).toHaveLength(3);
      for (const table of LAKE_TABLES) {
        expect(await lake.list(lakeKeys.versionPrefix(table, SNAPSHOT, rerun.version))).toEqual([
          lakeKeys.tableFile(table, SNAPSHOT, rerun.version, 0),
        ]);
      }
      expect(JSON.parse(lake.text(lakeKeys.transformReport(SNAPSHOT, split.version))!)).toEqual(
        split,
      );
    });

    it("writes empty tables, and no quarantine file in its version when nothing is quarantined", async () => {
      // Prepare: in development mode, a playlist the user does not own yields metadata only.
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
      await storeArtists(raw, SNAPSHOT, [], [], []);

      // Act
      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      // Assess
      expect(report.rows).toEqual({
        songs_data: 0,
        albums_data: 0,
        artists_data: 0,
        playlists_data: 1,
      });
      expect(report.entries).toEqual({
        read: 0,
        rows: 0,
        skipped: { null_entry: 0, episode: 0, local_file: 0 },
        quarantined: {},
      });
      expect(await lake.get(lakeKeys.quarantine(SNAPSHOT, report.version))).toBeUndefined();
      expect(await lake.list(lakeKeys.quarantineHourPrefix(SNAPSHOT))).toEqual([]);
      const root = await materialize(lake, "empty-lake");
      const songs = join(root, lakeKeys.tableFile("songs_data", SNAPSHOT, report.version, 0));
      expect(await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${songs}')`)).toEqual([
        { n: 0 },
      ]);
      expect((await columnTypes(songs)).artist_ids).toBe("VARCHAR[]");
    });
  });
});
