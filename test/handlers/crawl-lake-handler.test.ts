// The crawl step's handler (functions/crawl-lake/handler.ts): it publishes the transform's
// version, directly when the catalog knows every table's schema, else after a crawl of the
// version's copy in _crawl/; and it holds the snapshot's lease from the transform until the
// version is published, so no other execution rewrites the hour in between.

import { beforeEach, describe, expect, it } from "vitest";
import { LAKE_TABLES, lakeKeys, rawKeys } from "../../functions/commons/keys";
import type { Crawler, CrawlerStatus } from "../../functions/commons/ports";
import { holdSnapshotLease } from "../../functions/core/snapshot-lease";
import type { CrawlProgress } from "../../functions/core/crawl/crawl-progress";
import { catalogColumnsOf, tableSchemaFingerprints } from "../../functions/core/transform/schema";
import { transformSnapshot } from "../../functions/core/transform/transform-snapshot";
import { createCrawlLakeHandler } from "../../functions/crawl-lake/handler";
import { lambdaContext } from "../../local/lambda-runtime";
import { MemoryCatalog } from "../support/memory-catalog";
import { MemoryObjectStore } from "../support/memory-object-store";
import { BLUES, ROAD_TRIP, SNAPSHOT, storeFixtureSnapshot } from "../support/transform-fixture";

const A = "arn:aws:states:eu-west-1:1:execution:pipeline:scheduled-0500";
const B = "arn:aws:states:eu-west-1:1:execution:pipeline:console-rerun";
const NOW = new Date("2026-11-22T05:10:00Z");

/** A crawler whose crawl, once started, is done at the next poll and adds the missing tables. */
class InstantCrawler implements Crawler {
  readonly name = "test-crawler";
  private started?: Date;
  constructor(private readonly onCrawl: () => void) {}
  async start() {
    this.started = NOW;
    return { alreadyRunning: false };
  }
  async status(): Promise<CrawlerStatus> {
    if (!this.started) return { state: "READY" };
    this.onCrawl();
    return { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: this.started } };
  }
}

describe("Handler: crawl-lake", () => {
  let raw: MemoryObjectStore;
  let lake: MemoryObjectStore;
  let version: string;

  beforeEach(async () => {
    raw = new MemoryObjectStore();
    lake = new MemoryObjectStore();
    await storeFixtureSnapshot(raw);
    await holdSnapshotLease(raw, SNAPSHOT, A, NOW);
    ({ version } = await transformSnapshot({
      rawStore: raw,
      lakeStore: lake,
      snapshot: SNAPSHOT,
      playlistIds: [ROAD_TRIP, BLUES],
    }));
  });

  const handlerWith = (catalog: MemoryCatalog, crawler: Crawler) =>
    createCrawlLakeHandler({
      crawler,
      catalog,
      lakeStore: lake,
      leaseStore: raw,
      policy: "on-schema-change",
      now: () => NOW,
    });
  const run = { snapshot: SNAPSHOT.iso, executionId: A };
  const context = lambdaContext("spotify-lake-local-crawl-lake");

  it("publishes at once when the catalog knows every schema, then releases the lease", async () => {
    const catalog = new MemoryCatalog(new Map(LAKE_TABLES.map((t) => [t, catalogColumnsOf(t)])));
    const handler = handlerWith(catalog, new InstantCrawler(() => undefined));

    const progress = (await handler(
      { action: "start", run, schemas: tableSchemaFingerprints(), version },
      context,
    )) as CrawlProgress;

    expect(progress).toMatchObject({ done: true, path: "registered", version });
    expect(catalog.partitions.get(`songs_data/${SNAPSHOT.date}/${SNAPSHOT.hour}`)).toBe(
      lakeKeys.versionPrefix("songs_data", SNAPSHOT, version),
    );
    expect(lake.text(lakeKeys.publication(SNAPSHOT))).toContain(version);
    expect(raw.objects.has(rawKeys.snapshotLease(SNAPSHOT))).toBe(false);
  });

  it("crawls the version's copy first when a table is new, holding the lease until it publishes", async () => {
    // Prepare: the catalog lacks albums_data; the crawl adds it.
    const catalog = new MemoryCatalog(new Map(LAKE_TABLES.map((t) => [t, catalogColumnsOf(t)])));
    catalog.tables.delete("albums_data");
    const crawler = new InstantCrawler(() =>
      catalog.tables.set("albums_data", catalogColumnsOf("albums_data")),
    );
    const handler = handlerWith(catalog, crawler);

    // Act: start
    const started = (await handler(
      { action: "start", run, schemas: tableSchemaFingerprints(), version },
      context,
    )) as CrawlProgress;

    // Assess: crawling a copy, nothing published, the hour still A's.
    expect(started).toMatchObject({ done: false, path: "crawler" });
    expect(await lake.list(lakeKeys.crawlRoot)).toHaveLength(LAKE_TABLES.length);
    expect(catalog.partitions.size).toBe(0);
    await expect(holdSnapshotLease(raw, SNAPSHOT, B, NOW)).rejects.toMatchObject({
      name: "SnapshotLockedError",
    });

    // Act: the poll after the crawl
    const polled = (await handler(
      { action: "status", run, crawl: started, version },
      context,
    )) as CrawlProgress;

    // Assess
    expect(polled).toMatchObject({ done: true, version, partitions: { added: 4, existing: 0 } });
    expect(await lake.list(lakeKeys.crawlRoot)).toEqual([]);
    expect(raw.objects.has(rawKeys.snapshotLease(SNAPSHOT))).toBe(false);
  });

  it("refuses an input without the transform's version", async () => {
    const handler = handlerWith(new MemoryCatalog(new Map()), new InstantCrawler(() => undefined));
    await expect(
      handler(
        { action: "start", run, schemas: tableSchemaFingerprints(), version: "../x" },
        context,
      ),
    ).rejects.toMatchObject({
      name: "InvalidInputError",
      message: expect.stringContaining("version"),
    });
  });
});
