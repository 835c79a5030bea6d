// Consecutive hourly runs of the local pipeline on one lake, each metered for what AWS would
// bill (bench/lib/billing-meter.ts): the first hour (the tables do not exist yet, so the
// crawler runs whatever the policy), then one steady hour per crawl policy. The handlers' JSON
// logs (POWERTOOLS_LOG_LEVEL=INFO from the parent) are counted, as CloudWatch would ingest
// them, instead of printed.

import "../../local/polyfills";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { CrawlPolicy } from "../../functions/commons/config";
import { LAKE_TABLES } from "../../functions/commons/keys";
import { credentialsInMemory, localPaths, runPipelineLocally } from "../../local/local-pipeline";
import { loadPipelineDefinition } from "../../statemachine/pipeline";
import { BillingMeter, type Invocation } from "../lib/billing-meter";
import { workerMain } from "../lib/child";
import { benchSpotifyCredentials, type PipelineWorkerArgs } from "../lib/pipeline-worker";

export interface CostRunArgs extends PipelineWorkerArgs {
  hours: { label: string; snapshot: string; crawl: CrawlPolicy }[];
}

export interface MeteredQuery {
  tables: string[];
  /** Bytes of the Parquet files the query's tables hold in the partitions it names. */
  bytes: number;
  files: number;
}

export interface MeteredHour {
  label: string;
  crawl: CrawlPolicy;
  status: string;
  error?: string;
  /** States entered plus retries: what Step Functions bills. */
  transitions: number;
  historyEvents: number;
  invocations: Invocation[];
  queries: MeteredQuery[];
  crawlerStarts: number;
  glueCatalogRequests: number;
  secretsManagerCalls: number;
  unattributed: number;
  storedBytes: { raw: number; lake: number };
  /** The crawler's S3 targets (one LIST each, at least). */
  crawlerTargets: number;
  /** Files in the crawler's targets after the run, and those of this hour's partitions. */
  lakeFiles: { all: number; thisHour: number };
  logs: { lines: number; bytes: number };
}

export interface CostRunResult {
  hours: MeteredHour[];
}

/** Parquet files under a folder of the local lake, with their sizes. */
function parquetFiles(dir: string): { file: string; bytes: number }[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return parquetFiles(full);
    return entry.name.endsWith(".parquet") ? [{ file: full, bytes: statSync(full).size }] : [];
  });
}

const partitionFolder = (snapshot: string) => {
  const [date, time] = snapshot.split("T") as [string, string];
  return { date, hour: time.slice(0, 2) };
};

/** Every handler log line written while `fn` runs is counted and swallowed. */
async function countingLogs<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; lines: number; bytes: number }> {
  const write = process.stdout.write.bind(process.stdout);
  let lines = 0;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
      lines++;
      bytes += Buffer.byteLength(line);
    }
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), lines, bytes };
  } finally {
    process.stdout.write = write;
  }
}

async function run(args: CostRunArgs): Promise<CostRunResult> {
  const credentials = benchSpotifyCredentials();
  const lake = localPaths(args.dataDir).lake;
  const hours: MeteredHour[] = [];
  for (const hour of args.hours) {
    const meter = new BillingMeter();
    let transitions = 0;
    const logged = await countingLogs(() =>
      runPipelineLocally({
        dataDir: args.dataDir,
        input: { snapshot: hour.snapshot },
        spotify: {
          apiBaseUrl: args.apiBaseUrl,
          accountsBaseUrl: args.accountsBaseUrl,
          credentials,
          fetch: meter.countingFetch(),
        },
        credentialsStore: meter.credentialsStore(credentialsInMemory(credentials)),
        defaultPlaylists: args.playlistIds,
        crawl: hour.crawl,
        startTime: new Date(Date.parse(hour.snapshot) + 271_000),
        aroundTask: meter.aroundTasks(loadPipelineDefinition()),
        adapters: meter.adapters(),
        onStateEvent: (event) => {
          if (event.phase === "entered" || event.phase === "retried") transitions++;
        },
      }),
    );
    const result = logged.value;
    const { date, hour: hh } = partitionFolder(hour.snapshot);
    const partition = `snapshot_date=${date}/snapshot_hour=${hh}`;
    const queries = meter.queries.map(({ sql }) => {
      const tables = LAKE_TABLES.filter((t) => new RegExp(`\\b${t}\\b`).test(sql));
      const onePartition = sql.includes(`snapshot_date = '${date}'`);
      const files = tables.flatMap((t) =>
        parquetFiles(path.join(lake, t, onePartition ? partition : "")),
      );
      return { tables, bytes: files.reduce((sum, f) => sum + f.bytes, 0), files: files.length };
    });
    const files = LAKE_TABLES.map((t) => ({
      all: parquetFiles(path.join(lake, t)).length,
      thisHour: parquetFiles(path.join(lake, t, partition)).length,
    }));
    hours.push({
      label: hour.label,
      crawl: hour.crawl,
      status: result.status,
      ...(result.error ? { error: `${result.error}: ${(result.cause ?? "").slice(0, 300)}` } : {}),
      transitions,
      historyEvents: result.quotas.historyEvents,
      invocations: meter.invocations,
      queries,
      crawlerStarts: meter.crawlerStarts,
      glueCatalogRequests: meter.glueCatalogRequests,
      secretsManagerCalls: meter.secretsManagerCalls,
      unattributed: meter.unattributed,
      storedBytes: { ...meter.storedBytes },
      crawlerTargets: LAKE_TABLES.length,
      lakeFiles: {
        all: files.reduce((n, f) => n + f.all, 0),
        thisHour: files.reduce((n, f) => n + f.thisHour, 0),
      },
      logs: { lines: logged.lines, bytes: logged.bytes },
    });
  }
  return { hours };
}

if (require.main === module) workerMain(run);
