// Specification of publishing a snapshot version (functions/core/crawl/publish.ts): nothing
// is published unless the version is complete; publishing points all four tables' partitions
// of the hour at the version, records it in _published/, and only then removes the hour's
// other versions (and files of the layout before versions); a repeat is harmless. The
// crawler's copy in _crawl/ is the version's files and nothing else.

import { beforeEach, describe, expect, it } from "vitest";
import { LAKE_TABLES, lakeKeys } from "../../../functions/commons/keys";
import {
  clearCrawlCopies,
  copyVersionForCrawl,
  publishVersion,
} from "../../../functions/core/crawl/publish";
import { catalogColumnsOf } from "../../../functions/core/transform/schema";
import type { TransformReport } from "../../../functions/core/transform/transform-snapshot";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryCatalog } from "../../support/memory-catalog";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { BLUES, ROAD_TRIP, SNAPSHOT, storeFixtureSnapshot } from "../../support/transform-fixture";

const catalogWithTables = () =>
  new MemoryCatalog(new Map(LAKE_TABLES.map((table) => [table, catalogColumnsOf(table)])));
const hourKey = (table: string) => `${table}/${SNAPSHOT.date}/${SNAPSHOT.hour}`;

describe("publishVersion", () => {
  let lake: MemoryObjectStore;
  let catalog: MemoryCatalog;
  let report: TransformReport;

  beforeEach(async () => {
    const raw = new MemoryObjectStore();
    await storeFixtureSnapshot(raw);
    lake = new MemoryObjectStore();
    catalog = catalogWithTables();
    report = await transformSnapshot({
      rawStore: raw,
      lakeStore: lake,
      snapshot: SNAPSHOT,
      playlistIds: [ROAD_TRIP, BLUES],
    });
  });

  it("points every table's partition of the hour at the version and records the publication", async () => {
    // Act
    const result = await publishVersion(lake, catalog, SNAPSHOT, report.version);

    // Assess
    expect(result).toEqual({ added: 4, existing: 0 });
    for (const table of LAKE_TABLES) {
      expect(catalog.partitions.get(hourKey(table))).toBe(
        lakeKeys.versionPrefix(table, SNAPSHOT, report.version),
      );
    }
    const publication = JSON.parse(lake.text(lakeKeys.publication(SNAPSHOT))!);
    expect(publication).toEqual({
      snapshot: SNAPSHOT.iso,
      version: report.version,
      tables: Object.fromEntries(
        LAKE_TABLES.map((table) => [
          table,
          {
            location: lakeKeys.versionPrefix(table, SNAPSHOT, report.version),
            files: [lakeKeys.tableFile(table, SNAPSHOT, report.version, 0)],
          },
        ]),
      ),
    });
    // A repeat (redrive, rerun) moves the partitions to where they already are.
    expect(await publishVersion(lake, catalog, SNAPSHOT, report.version)).toEqual({
      added: 0,
      existing: 4,
    });
  });

  it("removes the hour's other versions and files of the layout before versions, only after the switch", async () => {
    // Prepare: an older version of the hour, and a file of the layout before versions.
    const old = "00000000000000aa";
    const stale = [
      lakeKeys.tableFile("songs_data", SNAPSHOT, old, 0),
      lakeKeys.quarantine(SNAPSHOT, old),
      lakeKeys.transformReport(SNAPSHOT, old),
      `${lakeKeys.partitionPrefix("albums_data", SNAPSHOT)}part-00000.parquet`,
    ];
    for (const key of stale) await lake.put(key, "old");
    const otherHour = lakeKeys.tableFile("songs_data", { ...SNAPSHOT, hour: "04" }, old, 0);
    await lake.put(otherHour, "another hour");
    let keysAtSwitch: string[] = [];
    const pointPartitions = catalog.pointPartitions.bind(catalog);
    catalog.pointPartitions = async (partitions) => {
      keysAtSwitch = [...lake.objects.keys()];
      return pointPartitions(partitions);
    };

    // Act
    await publishVersion(lake, catalog, SNAPSHOT, report.version);

    // Assess
    expect(keysAtSwitch).toEqual(expect.arrayContaining(stale));
    for (const key of stale) expect(lake.objects.has(key), key).toBe(false);
    expect(lake.objects.has(otherHour)).toBe(true);
    expect(await lake.list(lakeKeys.quarantineHourPrefix(SNAPSHOT))).toEqual([
      lakeKeys.quarantine(SNAPSHOT, report.version),
    ]);
  });

  it.each([
    [
      "its report is missing",
      async (version: string) => lake.delete([lakeKeys.transformReport(SNAPSHOT, version)]),
      /transform report .*transform\.json is missing/,
    ],
    [
      "its report names another version",
      async (version: string) =>
        lake.put(
          lakeKeys.transformReport(SNAPSHOT, version),
          JSON.stringify({ ...report, version: "ffffffffffffffff" }),
        ),
      /names version "ffffffffffffffff"/,
    ],
    [
      "a table folder holds a file the report does not count",
      async (version: string) =>
        lake.put(lakeKeys.tableFile("songs_data", SNAPSHOT, version, 1), "stray"),
      /report counts 4 Parquet files, the lake holds 5/,
    ],
    [
      "a table's files are missing",
      async (version: string) =>
        lake.delete([lakeKeys.tableFile("artists_data", SNAPSHOT, version, 0)]),
      /the lake holds 3 \(none of artists_data\)/,
    ],
  ])("publishes nothing when %s", async (_, spoil, message) => {
    // Prepare
    await spoil(report.version);
    const before = lake.texts();

    // Act, Assess
    await expect(publishVersion(lake, catalog, SNAPSHOT, report.version)).rejects.toMatchObject({
      name: "CrawlerFailedError",
      message: expect.stringMatching(message),
    });
    expect(catalog.partitions.size).toBe(0);
    expect(lake.texts()).toEqual(before);
  });

  it("copies exactly the version's files to _crawl/<table>/<hour>/, replacing an earlier copy", async () => {
    // Prepare
    const leftover = `${lakeKeys.crawlPartitionPrefix("songs_data", { ...SNAPSHOT, hour: "04" })}part-00000.parquet`;
    await lake.put(leftover, "an earlier crawl's copy");

    // Act
    await copyVersionForCrawl(lake, SNAPSHOT, report.version);

    // Assess
    expect(await lake.list(lakeKeys.crawlRoot)).toEqual(
      LAKE_TABLES.map(
        (table) => `${lakeKeys.crawlPartitionPrefix(table, SNAPSHOT)}part-00000.parquet`,
      ).sort(),
    );
    for (const table of LAKE_TABLES) {
      expect(
        await lake.get(`${lakeKeys.crawlPartitionPrefix(table, SNAPSHOT)}part-00000.parquet`),
      ).toEqual(await lake.get(lakeKeys.tableFile(table, SNAPSHOT, report.version, 0)));
    }
    await clearCrawlCopies(lake);
    expect(await lake.list(lakeKeys.crawlRoot)).toEqual([]);
  });
});
