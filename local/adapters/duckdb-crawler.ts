// The local stand-in for the Glue crawler: scans the filesystem lake, registers each table
// with the partitions it found in a DuckDB catalog, and reports RUNNING then READY, so the
// state machine's Wait/Choice loop runs exactly as it does against Glue. Like Glue, only
// what a crawl registered is queryable: files written after it stay invisible until the next.

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LAKE_TABLES } from "../../functions/commons/keys";
import type { Crawler, CrawlerStatus } from "../../functions/commons/ports";
import { connectDuckDb, sqlString } from "./duckdb";
import { createCatalogTables, defineTableView } from "./duckdb-catalog";
import type { FileObjectStore } from "./file-object-store";

interface CrawlerStateFile {
  state: "READY" | "RUNNING";
  crawled: boolean;
  lastCrawl?: { status: "SUCCEEDED" | "FAILED"; startTime: string; errorMessage?: string };
  runningSince?: string;
}

const PARTITION_FILE =
  /^([a-z_]+)\/snapshot_date=(\d{4}-\d{2}-\d{2})\/snapshot_hour=(\d{2})\/[^/]+\.parquet$/;

export class DuckDbCrawler implements Crawler {
  readonly name = "local-lake-crawler";

  constructor(
    private readonly lake: FileObjectStore,
    private readonly catalogPath: string,
    private readonly statePath: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<{ alreadyRunning: boolean }> {
    const current = await this.readState();
    if (current.state === "RUNNING") return { alreadyRunning: true };
    await this.writeState({
      ...current,
      state: "RUNNING",
      crawled: false,
      runningSince: this.now().toISOString(),
    });
    return { alreadyRunning: false };
  }

  async status(): Promise<CrawlerStatus> {
    const current = await this.readState();
    if (current.state === "RUNNING" && !current.crawled) {
      // First poll of a crawl: do the work, still report RUNNING (as Glue would mid-crawl).
      let lastCrawl: CrawlerStateFile["lastCrawl"];
      const startTime = current.runningSince ?? this.now().toISOString();
      try {
        await this.crawl();
        lastCrawl = { status: "SUCCEEDED", startTime };
      } catch (error) {
        lastCrawl = { status: "FAILED", startTime, errorMessage: (error as Error).message };
      }
      await this.writeState({ ...current, crawled: true, lastCrawl });
      return { state: "RUNNING" };
    }
    if (current.state === "RUNNING") {
      const { runningSince: _, ...rest } = current;
      await this.writeState({ ...rest, state: "READY" });
      return this.toStatus({ ...rest, state: "READY" });
    }
    return this.toStatus(current);
  }

  /** Registers every table of the lake with its partitions; also usable on its own. */
  async crawl(): Promise<{ table: string; partitions: number; files: number }[]> {
    const files = await this.lake.list("");
    // Like Glue, the catalog registers partitions (folders), not files: a query reads whatever
    // Parquet files a registered folder holds when it runs.
    const partitionsByTable = new Map<
      string,
      Map<string, { date: string; hour: string; files: number }>
    >();
    for (const key of files) {
      const match = PARTITION_FILE.exec(key);
      if (!match || !(LAKE_TABLES as readonly string[]).includes(match[1]!)) continue;
      const [, table, date, hour] = match as unknown as [string, string, string, string];
      const folder = `${table}/snapshot_date=${date}/snapshot_hour=${hour}`;
      const partitions = partitionsByTable.get(table) ?? new Map();
      const partition = partitions.get(folder) ?? { date, hour, files: 0 };
      partition.files += 1;
      partitions.set(folder, partition);
      partitionsByTable.set(table, partitions);
    }
    const db = await connectDuckDb(this.catalogPath);
    await db.run("BEGIN TRANSACTION");
    try {
      // A crawl rebuilds the catalog from what the lake holds now.
      await db.run("DROP TABLE IF EXISTS catalog_partitions");
      await db.run("DROP TABLE IF EXISTS catalog_tables");
      await createCatalogTables(db);
      for (const [table, partitions] of partitionsByTable) {
        for (const [folder, { date, hour }] of partitions) {
          const location = this.lake.pathOf(folder);
          await db.run(
            `INSERT INTO catalog_partitions VALUES (${[table, date, hour, location].map(sqlString).join(", ")})`,
          );
        }
        await defineTableView(db, table);
      }
      await db.run("COMMIT");
    } catch (error) {
      await db.run("ROLLBACK");
      throw error;
    } finally {
      db.closeSync();
    }
    return [...partitionsByTable].map(([table, partitions]) => ({
      table,
      partitions: partitions.size,
      files: [...partitions.values()].reduce((n, p) => n + p.files, 0),
    }));
  }

  private toStatus(state: CrawlerStateFile): CrawlerStatus {
    return {
      state: state.state,
      ...(state.lastCrawl
        ? {
            lastCrawl: {
              status: state.lastCrawl.status,
              startTime: new Date(state.lastCrawl.startTime),
              ...(state.lastCrawl.errorMessage
                ? { errorMessage: state.lastCrawl.errorMessage }
                : {}),
            },
          }
        : {}),
    };
  }

  private async readState(): Promise<CrawlerStateFile> {
    if (!existsSync(this.statePath)) return { state: "READY", crawled: true };
    return JSON.parse(await readFile(this.statePath, "utf8")) as CrawlerStateFile;
  }

  private async writeState(state: CrawlerStateFile): Promise<void> {
    await mkdir(dirname(this.statePath), { recursive: true });
    await writeFile(this.statePath, JSON.stringify(state, null, 2));
  }
}

export const localCatalogPaths = (dataDir: string) => ({
  catalog: join(dataDir, "catalog", "catalog.duckdb"),
  crawlerState: join(dataDir, "catalog", "crawler-state.json"),
  queryResults: join(dataDir, "query-results"),
});
