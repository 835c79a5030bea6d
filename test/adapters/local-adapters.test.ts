// The local stand-ins for S3, Glue and Athena, and the Node 20 fix the local interpreter needs.

import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectDuckDb } from "../../local/adapters/duckdb";
import { LAKE_TABLES } from "../../functions/commons/keys";
import {
  DuckDbCatalog,
  readCatalogPartitions,
  writeCatalog,
} from "../../local/adapters/duckdb-catalog";
import { deadPid } from "../support/process-death";
import { DuckDbCrawler, localCatalogPaths } from "../../local/adapters/duckdb-crawler";
import { DuckDbQueryEngine } from "../../local/adapters/duckdb-query-engine";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import "../../local/polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import { newDataDir } from "../support/local-run";

describe("Class: FileObjectStore", () => {
  it("round-trips objects and lists keys under a prefix in order", async () => {
    const store = new FileObjectStore(newDataDir());
    await store.put("a/b/2.json", "two");
    await store.put("a/b/1.json", new TextEncoder().encode("one"));
    await store.put("a/c.json", "c");
    expect(await store.list("a/b/")).toEqual(["a/b/1.json", "a/b/2.json"]);
    expect(new TextDecoder().decode(await store.get("a/b/1.json"))).toBe("one");
    expect(await store.get("a/missing.json")).toBeUndefined();
    await store.delete(["a/b/1.json"]);
    expect(await store.list("a/")).toEqual(["a/b/2.json", "a/c.json"]);
  });

  it.each(["../outside.json", "/etc/passwd", "a/../../x", ""])(
    "refuses a key that would land outside its folder: %j",
    async (key) => {
      const store = new FileObjectStore(newDataDir());
      await expect(store.put(key, "x")).rejects.toThrow(/escapes the store/);
    },
  );
});

describe("Class: DuckDbCrawler", () => {
  // The crawler's target: the crawl step copies the version it publishes there.
  const PARTITION = "_crawl/artists_data/snapshot_date=2026-11-22/snapshot_hour=05";

  async function lakeWithFile(write: (path: string) => Promise<void>) {
    const dataDir = newDataDir();
    const lake = new FileObjectStore(join(dataDir, "lake"));
    const paths = localCatalogPaths(dataDir);
    mkdirSync(join(lake.root, PARTITION), { recursive: true });
    await write(join(lake.root, PARTITION, "part-00000.parquet"));
    return {
      lake,
      paths,
      crawler: new DuckDbCrawler(lake, paths.catalog, paths.crawlerState),
      engine: new DuckDbQueryEngine(paths.catalog, paths.queryResults),
    };
  }

  const writeArtists = async (path: string) => {
    const db = await connectDuckDb(":memory:");
    await db.run(`COPY (SELECT 'x' AS artist_id, 90 AS popularity) TO '${path}' (FORMAT parquet)`);
    db.closeSync();
  };

  it("reports RUNNING, then READY after a successful crawl that registered the partition", async () => {
    const { crawler, engine } = await lakeWithFile(async (path) => {
      const db = await connectDuckDb(":memory:");
      await db.run(
        `COPY (SELECT 'x' AS artist_id, 90 AS popularity) TO '${path}' (FORMAT parquet)`,
      );
      db.closeSync();
    });
    expect(await crawler.start()).toEqual({ alreadyRunning: false });
    expect(await crawler.start()).toEqual({ alreadyRunning: true });
    expect((await crawler.status()).state).toBe("RUNNING");
    const done = await crawler.status();
    expect(done).toMatchObject({ state: "READY", lastCrawl: { status: "SUCCEEDED" } });

    const query = await engine.start("SELECT * FROM artists_data WHERE popularity > 80");
    expect(await engine.status(query)).toEqual({ state: "SUCCEEDED" });
    // Partition values come back as strings, as Glue types them.
    expect(await engine.rows(query)).toEqual([
      { artist_id: "x", popularity: "90", snapshot_date: "2026-11-22", snapshot_hour: "05" },
    ]);
  });

  it("ends the crawl FAILED with the reason when a file is not Parquet", async () => {
    const { crawler } = await lakeWithFile((path) => writeFile(path, "not parquet"));
    await crawler.start();
    await crawler.status();
    const done = await crawler.status();
    expect(done).toMatchObject({
      state: "READY",
      lastCrawl: { status: "FAILED", errorMessage: expect.stringMatching(/parquet/i) },
    });
  });

  it("crawls only _crawl/, keeps the partitions it did not see, and rebuilds a lost catalog from _published/", async () => {
    // Prepare: a published hour (04), a version folder the crawler must not see, and a lost catalog.
    const { lake, paths, crawler } = await lakeWithFile(writeArtists);
    const published =
      "artists_data/snapshot_date=2026-11-22/snapshot_hour=04/version=0123456789abcdef";
    mkdirSync(join(lake.root, published), { recursive: true });
    await writeArtists(join(lake.root, published, "part-00000.parquet"));
    await lake.put(
      "_published/snapshot_date=2026-11-22/snapshot_hour=04.json",
      JSON.stringify({ tables: { artists_data: { location: `${published}/` } } }),
    );

    // Act
    const crawled = await crawler.crawl();

    // Assess
    expect(crawled).toEqual([{ table: "artists_data", partitions: 1, files: 1 }]);
    expect(await readCatalogPartitions(paths.catalog)).toEqual([
      { table: "artists_data", date: "2026-11-22", hour: "04", location: `lake/${published}` },
      { table: "artists_data", date: "2026-11-22", hour: "05", location: `lake/${PARTITION}` },
    ]);
  });

  it("reports a query on an unknown table as FAILED, not as an exception", async () => {
    const { engine } = await lakeWithFile(() => Promise.resolve());
    const query = await engine.start("SELECT * FROM no_such_table");
    expect(await engine.status(query)).toMatchObject({ state: "FAILED", retryable: false });
  });
});

describe("Class: DuckDbCatalog", () => {
  const hourOf = (hour: string) =>
    LAKE_TABLES.map((table) => ({
      table,
      date: "2026-11-22",
      hour,
      folder: `${table}/snapshot_date=2026-11-22/snapshot_hour=${hour}/version=0123456789abcdef/`,
    }));

  async function catalogWithTables() {
    const dataDir = newDataDir();
    const { catalog: catalogPath } = localCatalogPaths(dataDir);
    const columns = [{ name: "id", type: "string" }];
    await writeCatalog(catalogPath, {
      tables: LAKE_TABLES.map((table) => ({ table, columns })),
      partitions: [],
    });
    const catalog = new DuckDbCatalog(new FileObjectStore(join(dataDir, "lake")), catalogPath);
    return { catalog, catalogPath };
  }

  it("switches all four tables of an hour in one write, and loses no switch of two hours at once", async () => {
    // Prepare
    const { catalog, catalogPath } = await catalogWithTables();

    // Act: two runs of different hours publish at the same moment.
    const results = await Promise.all([
      catalog.pointPartitions(hourOf("04")),
      catalog.pointPartitions(hourOf("05")),
    ]);

    // Assess
    expect(results).toEqual([
      { added: 4, existing: 0 },
      { added: 4, existing: 0 },
    ]);
    const registered = await readCatalogPartitions(catalogPath);
    expect(registered.map((p) => `${p.table} ${p.hour}`).sort()).toEqual(
      LAKE_TABLES.flatMap((t) => [`${t} 04`, `${t} 05`]).sort(),
    );
    expect(await catalog.pointPartitions(hourOf("05"))).toEqual({ added: 0, existing: 4 });
  });

  it("takes over the lock of a writer that died, and changes nothing when a table is missing", async () => {
    const { catalog, catalogPath } = await catalogWithTables();
    await writeFile(`${catalogPath}.lock`, String(deadPid()));
    await catalog.pointPartitions(hourOf("05"));
    await expect(
      catalog.pointPartitions([{ ...hourOf("06")[0]!, table: "no_such_table" }]),
    ).rejects.toMatchObject({ name: "CrawlerFailedError" });
    expect(await readCatalogPartitions(catalogPath)).toHaveLength(4);
  });
});

describe("aws-local-stepfunctions on Node 20", () => {
  it("runs a Task state (Promise.withResolvers is polyfilled)", async () => {
    const machine = new StateMachine(
      {
        StartAt: "T",
        States: {
          T: {
            Type: "Task",
            Resource: "arn:aws:lambda:us-east-1:000000000000:function:t",
            End: true,
          },
        },
      },
      { validationOptions: { checkArn: false } },
    );
    const run = machine.run(
      { n: 1 },
      { overrides: { taskResourceLocalHandlers: { T: async () => ({ ok: true }) } } },
    );
    expect(await run.result).toEqual({ ok: true });
  });
});
