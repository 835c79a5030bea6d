// Specification of the transform step's sequencing
// (functions/core/transform/transform-snapshot.ts): from one snapshot's raw layer it writes one
// SNAPPY Parquet part per table, the quarantine file and the report last, under hive
// partitions and the snapshot's content-addressed version, and it stops, writing nothing, when the raw layer is missing or corrupt or the
// playlist ids are invalid. Beside this file: each table's rows (song-rows, artist-rows,
// playlist-rows), the quarantine file, the report, entries, reruns and a run at scale.

import { describe, expect, it } from "vitest";
import {
  InvalidInputError,
  RawDataError,
  RawSnapshotMissingError,
} from "../../../functions/commons/errors";
import { lakeKeys, rawKeys, LAKE_TABLES } from "../../../functions/commons/keys";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryObjectStore } from "../../support/memory-object-store";
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
    it("writes one SNAPPY Parquet part per table, the quarantine file, and the report last, all under the version", async () => {
      const { lake, report, root } = transformed;
      const written = lake.writes;
      expect(report.version).toMatch(/^[0-9a-f]{16}$/);
      expect(written).toEqual([
        ...LAKE_TABLES.map((t) => lakeKeys.tableFile(t, SNAPSHOT, report.version, 0)),
        lakeKeys.quarantine(SNAPSHOT, report.version),
        lakeKeys.transformReport(SNAPSHOT, report.version),
      ]);
      expect(written.every((key) => key.includes(`/version=${report.version}/`))).toBe(true);
      expect(JSON.parse(lake.text(lakeKeys.transformReport(SNAPSHOT, report.version))!)).toEqual(
        report,
      );
      const codecs = await query(
        `SELECT DISTINCT compression FROM parquet_metadata('${root}/*/*/*/*/*.parquet')`,
      );
      expect(codecs).toEqual([{ compression: "SNAPPY" }]);
    });

    it("stores no partition columns in the files: the hive folders carry them", async () => {
      const { root } = transformed;
      const file = transformed.tableFile("songs_data");
      const inFile = await columnTypes(file);
      expect(Object.keys(inFile)).not.toContain("snapshot_date");
      const partitioned = await query(
        `SELECT DISTINCT snapshot_date::VARCHAR AS d, snapshot_hour::VARCHAR AS h
         FROM read_parquet('${root}/songs_data/*/*/*/*.parquet', hive_partitioning = true)`,
      );
      expect(partitioned).toEqual([{ d: "2026-11-22", h: "05" }]);
    });
  });

  describe("raw data problems", () => {
    it("fails with RawSnapshotMissingError naming the playlist whose manifest is missing, writing nothing", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const absent = "5ZSavSbXRSVHjjXhVBpWvW";

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, absent, BLUES],
      });

      // Assess
      await expect(run).rejects.toThrow(RawSnapshotMissingError);
      await expect(run).rejects.toThrow(`playlist ${absent}`);
      expect(lake.objects.size).toBe(0);
    });

    it("fails with RawDataError naming the key of a corrupt body, writing nothing", async () => {
      // Prepare: a page truncated mid-write.
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const key = rawKeys.itemsPage(SNAPSHOT, ROAD_TRIP, 1);
      await raw.put(key, (await fixture(`items-${ROAD_TRIP}-0001.json`)).slice(0, 700));

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      });

      // Assess
      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(key);
      expect(lake.objects.size).toBe(0);
    });

    it("rejects playlist ids that are not Spotify ids with InvalidInputError", async () => {
      const run = transformSnapshot({
        rawStore: new MemoryObjectStore(),
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, "../../etc/passwd"],
      });

      await expect(run).rejects.toThrow(InvalidInputError);
      await expect(run).rejects.toThrow('"../../etc/passwd"');
    });
  });
});
