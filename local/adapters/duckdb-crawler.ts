// The local stand-in for the Glue crawler: crawls its targets `_crawl/<table>/` (where the
// crawl step copies the version it is about to publish), records each table's schema and the
// partitions it found in the DuckDB catalog, and reports RUNNING then READY, so the state
// machine's Wait/Choice loop runs exactly as it does against Glue. Like a Glue crawler with
// DeleteBehavior LOG it keeps every partition it did not see; partitions are the pipeline's
// (the crawl step points them at the version once the crawl is done). A catalog that is
// missing or unreadable is rebuilt from the publication records in `_published/`.

import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { LAKE_TABLES, lakeKeys } from "../../functions/commons/keys";
import type { Crawler, CrawlerStatus } from "../../functions/commons/ports";
import { withCatalogLock } from "./catalog-lock";
import type { CatalogContents, CatalogPartition, CatalogTable } from "./duckdb-catalog";
import {
  CatalogUnreadableError,
  dataDirOfCatalog,
  describeParquetColumns,
  readCatalog,
  withPartitions,
  writeCatalog,
} from "./duckdb-catalog";
import type { FileObjectStore } from "./file-object-store";
import { temporaryPathFor } from "./temporary-files";

interface CrawlerStateFile {
  state: "READY" | "RUNNING";
  crawled: boolean;
  lastCrawl?: { status: "SUCCEEDED" | "FAILED"; startTime: string; errorMessage?: string };
  runningSince?: string;
}

const CRAWLED_FILE =
  /^_crawl\/([a-z_]+)\/snapshot_date=(\d{4}-\d{2}-\d{2})\/snapshot_hour=(\d{2})\/[^/]+\.parquet$/;
const PUBLICATION = /^_published\/snapshot_date=(\d{4}-\d{2}-\d{2})\/snapshot_hour=(\d{2})\.json$/;

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

  /** Crawls `_crawl/<table>/` into the catalog; also usable on its own. */
  async crawl(): Promise<{ table: string; partitions: number; files: number }[]> {
    const files = await this.lake.list(lakeKeys.crawlRoot);
    // Like Glue, the catalog registers partitions (folders), not files: a query reads whatever
    // Parquet files a registered folder holds when it runs.
    const partitionsByTable = new Map<
      string,
      Map<string, { date: string; hour: string; files: number }>
    >();
    for (const key of files) {
      const match = CRAWLED_FILE.exec(key);
      if (!match || !(LAKE_TABLES as readonly string[]).includes(match[1]!)) continue;
      const [, table, date, hour] = match as unknown as [string, string, string, string];
      const folder = `_crawl/${table}/snapshot_date=${date}/snapshot_hour=${hour}`;
      const partitions = partitionsByTable.get(table) ?? new Map();
      const partition = partitions.get(folder) ?? { date, hour, files: 0 };
      partition.files += 1;
      partitions.set(folder, partition);
      partitionsByTable.set(table, partitions);
    }
    const found: CatalogPartition[] = [];
    const tables: CatalogTable[] = [];
    for (const [table, partitions] of partitionsByTable) {
      const folders = [...partitions.keys()].map((folder) => this.lake.pathOf(folder));
      tables.push({ table, columns: await describeParquetColumns(folders) });
      for (const [folder, { date, hour }] of partitions) {
        found.push({ table, date, hour, location: this.location(folder) });
      }
    }
    await withCatalogLock(this.catalogPath, async () => {
      const contents = await this.catalogOrRebuilt();
      const crawled = new Set(tables.map((t) => t.table));
      const updated = {
        tables: [...contents.tables.filter((t) => !crawled.has(t.table)), ...tables],
        partitions: contents.partitions,
      };
      await writeCatalog(this.catalogPath, withPartitions(updated, found).contents);
    });
    return [...partitionsByTable].map(([table, partitions]) => ({
      table,
      partitions: partitions.size,
      files: [...partitions.values()].reduce((n, p) => n + p.files, 0),
    }));
  }

  /** A lake folder as the catalog records it: relative to the data folder. */
  private location(folder: string): string {
    const dataDir = dataDirOfCatalog(this.catalogPath);
    return relative(dataDir, this.lake.pathOf(folder)).split(sep).join("/");
  }

  /** The catalog; if none can be read, the partitions the publication records name. */
  private async catalogOrRebuilt(): Promise<CatalogContents> {
    try {
      const contents = await readCatalog(this.catalogPath);
      if (contents) return contents;
    } catch (error) {
      if (!(error instanceof CatalogUnreadableError)) throw error;
    }
    const partitions: CatalogPartition[] = [];
    for (const key of await this.lake.list("_published/")) {
      const match = PUBLICATION.exec(key);
      const body = match && (await this.lake.get(key));
      if (!match || !body) continue;
      const record = JSON.parse(new TextDecoder().decode(body)) as {
        tables?: Record<string, { location?: unknown }>;
      };
      for (const [table, { location }] of Object.entries(record.tables ?? {})) {
        if (!(LAKE_TABLES as readonly string[]).includes(table)) continue;
        if (typeof location !== "string") continue;
        const folder = location.replace(/\/$/, "");
        partitions.push({
          table,
          date: match[1]!,
          hour: match[2]!,
          location: this.location(folder),
        });
      }
    }
    return { tables: [], partitions };
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

  /**
   * The state file, or a fresh READY state when there is none or it cannot be read (a crash
   * of an older version mid-write): it records no crawl, so the next poll asks for one.
   */
  private async readState(): Promise<CrawlerStateFile> {
    let text: string;
    try {
      text = await readFile(this.statePath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return { state: "READY", crawled: true };
      throw error;
    }
    try {
      const state = JSON.parse(text) as Partial<CrawlerStateFile> | null;
      if (state?.state === "READY" || state?.state === "RUNNING") return state as CrawlerStateFile;
    } catch {
      // rebuilt below
    }
    return { state: "READY", crawled: true };
  }

  /** Writes the state to a temporary file renamed into place: a reader never sees half of it. */
  private async writeState(state: CrawlerStateFile): Promise<void> {
    await mkdir(dirname(this.statePath), { recursive: true });
    const temporary = temporaryPathFor(this.statePath);
    try {
      await writeFile(temporary, JSON.stringify(state, null, 2));
      await rename(temporary, this.statePath);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}

export const localCatalogPaths = (dataDir: string) => ({
  catalog: join(dataDir, "catalog", "catalog.duckdb"),
  crawlerState: join(dataDir, "catalog", "crawler-state.json"),
  queryResults: join(dataDir, "query-results"),
});
