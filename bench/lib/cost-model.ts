// From the counts of a metered local run (bench/workers/cost-run.ts) to what AWS would bill
// for it and how long it would take there. Prices come from bench/aws-prices.json; every
// other number below is an assumption of the model, named and explained, so a reader can
// change one and see what moves.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { CrawlPolicy } from "../../functions/commons/config";
import { PIPELINE_FUNCTIONS } from "../../infra/constructs/functions";
import { STAGE_ALARM_COUNT } from "../../infra/constructs/monitoring";
import { PIPELINE_STEPS, type PipelineStep } from "../../statemachine/pipeline";
import type { MeteredHour } from "../workers/cost-run";
import { totalS3, type Invocation } from "./billing-meter";
import { REPO_ROOT } from "./child";

export interface Price {
  usd: number;
  unit: string;
  source: string;
  recorded: string;
  checked: string;
}
export type PriceName = keyof typeof PRICE_NAMES;
const PRICE_NAMES = {
  stepFunctionsStateTransition: 1,
  stepFunctionsExpressRequest: 1,
  stepFunctionsExpressGbSecond: 1,
  lambdaRequest: 1,
  lambdaArmGbSecond: 1,
  s3PutClassRequest: 1,
  s3GetClassRequest: 1,
  s3StorageGbMonth: 1,
  athenaTbScanned: 1,
  glueCrawlerDpuHour: 1,
  glueCatalogRequest: 1,
  secretsManagerSecretMonth: 1,
  secretsManagerApiCall: 1,
  kmsKeyMonth: 1,
  cloudWatchAlarmMonth: 1,
  cloudWatchCustomMetricMonth: 1,
  cloudWatchLogsIngestedGb: 1,
  xrayTraceRecorded: 1,
} as const;

const PRICES_FILE = path.join(REPO_ROOT, "bench", "aws-prices.json");

export function loadPrices(file = PRICES_FILE) {
  const { prices } = JSON.parse(readFileSync(file, "utf8")) as { prices: Record<string, Price> };
  for (const name of Object.keys(PRICE_NAMES)) {
    const price = prices[name];
    if (!price || !(price.usd > 0) || !price.source.startsWith("https://") || !price.recorded) {
      throw new Error(`${file}: price ${name} needs usd > 0, an https source and a recorded date`);
    }
  }
  return prices as Record<PriceName, Price>;
}

/** Assumptions of the model (not prices): what the local run cannot measure. */
export const MODEL = {
  runsPerMonth: 720, // 24 runs a day for 30 days
  /** On-schema-change crawls when a schema changes: allow one a month (a deploy changing a table). */
  schemaChangesPerMonth: 1,
  /** Glue does not say how many DPUs a crawler uses; the issue's $53/month hourly figure assumes 1. */
  crawlerDpus: 1,
  crawlerMinimumMinutes: 10,
  /** A crawl of four small tables takes a minute or two in AWS (start-up dominates). */
  crawlMs: 120_000,
  athenaMinimumBytes: 10 * 1024 * 1024,
  /** One check's query in Athena: queueing and planning dominate on MB-sized scans. */
  athenaQueryMs: 2_500,
  /** Athena reads a Parquet file's footer, then its column chunks: two GETs a file, at least. */
  athenaGetsPerFile: 2,
  /** Athena writes the results object and its .metadata, and reads the results to page them. */
  athenaResultPuts: 2,
  /** In-region S3 request from a Lambda function (small objects). */
  s3RequestMs: 30,
  /** A Glue, Athena or Secrets Manager API call. */
  awsApiCallMs: 40,
  /** An HTTPS request to api.spotify.com from an AWS region. */
  spotifyRequestMs: 150,
  /** INIT of a Node.js 22 arm64 function with its bundle; billed like the handler's time. */
  coldStartMs: 500,
  /**
   * Steps whose local time is DuckDB standing in for Glue or Athena, not the function's own
   * work: their function time is this handler overhead plus their API calls.
   */
  serviceSteps: ["crawl-lake", "validate-snapshot"] as readonly PipelineStep[],
  handlerMs: 20,
  /** Spotify requests extract-artists makes at once (the client's artistConcurrency default). */
  artistRequestsAtOnce: 4,
  /** Step Functions' own latency per state transition on the critical path. */
  transitionMs: 25,
  /** A function gets one full vCPU at 1,769 MB and a share of it below. */
  fullVcpuMb: 1769,
  /** Lambda writes START, END, REPORT (and XRAY) lines for every invocation, ~400 bytes. */
  platformLogBytesPerInvocation: 400,
  /** CloudWatch Logs bills each event's bytes plus 26 bytes. */
  logEventOverheadBytes: 26,
} as const;

const MEMORY_MB: Readonly<Record<PipelineStep, number>> = Object.fromEntries(
  PIPELINE_FUNCTIONS.map((f) => [f.name, f.memoryMb]),
) as Record<PipelineStep, number>;
/** Concurrent environments of extract-playlist: the ExtractPlaylists Map's (default) concurrency. */
export const MAP_LANES = 4;
/** The Task state of the extraction Map (ExtractPlaylist inline, ExtractPlaylistBatch distributed). */
export const EXTRACT_TASK = PIPELINE_STEPS["extract-playlist"].taskStates[0];

/**
 * Modeled AWS duration of one invocation: its local time at the function's share of a vCPU
 * (an upper bound: the local time also holds local disk and emulator time), plus the round
 * trips it made, one after another (an upper bound too: some are concurrent).
 */
export function modeledMs(i: Invocation): number {
  const cpuShare = Math.min(1, MEMORY_MB[i.step] / MODEL.fullVcpuMb);
  const compute = MODEL.serviceSteps.includes(i.step) ? MODEL.handlerMs : i.localMs / cpuShare;
  const s3 = totalS3([i]);
  const requests = s3.put + s3.get + s3.list + s3.post;
  const spotifyAtOnce = i.step === "extract-artists" ? MODEL.artistRequestsAtOnce : 1;
  return Math.ceil(
    compute +
      requests * MODEL.s3RequestMs +
      i.awsApiCalls * MODEL.awsApiCallMs +
      (i.spotifyRequests * MODEL.spotifyRequestMs) / spotifyAtOnce,
  );
}

/** Greedy makespan of the Map's invocations on its lanes, in start order. */
function makespan(durations: readonly number[], lanes: number): number {
  const free = Array.from({ length: lanes }, () => 0);
  for (const d of durations) {
    const lane = free.indexOf(Math.min(...free));
    free[lane]! += d;
  }
  return Math.max(0, ...free);
}

export interface HourBill {
  label: string;
  crawl: CrawlPolicy;
  usd: Record<string, number>;
  totalUsd: number;
  counts: {
    transitions: number;
    invocations: number;
    lambdaGbSeconds: number;
    s3: { put: number; list: number; post: number; get: number };
    athenaQueries: number;
    athenaBytesScanned: number;
    athenaBytesBilled: number;
    crawlerRuns: number;
    glueCatalogRequests: number;
    secretsManagerCalls: number;
    logBytes: number;
    storedBytes: number;
  };
  /** Modeled wall time of the run in AWS, and its parts. */
  modeledRunMs: number;
  modeledParts: Record<string, number>;
}

/** Environments a run starts cold (every hourly run does: Lambda reclaims idle ones sooner). */
function coldEnvironments(invocations: readonly Invocation[]): Map<PipelineStep, number> {
  const environments = new Map<PipelineStep, number>();
  for (const i of invocations) environments.set(i.step, 1);
  const lanes = Math.min(MAP_LANES, invocations.filter((i) => i.task === EXTRACT_TASK).length);
  if (lanes > 0) environments.set("extract-playlist", lanes);
  return environments;
}

/** What one metered hour would cost in AWS, with the waits the local run skipped put back. */
export function billHour(hour: MeteredHour, prices: Record<PriceName, Price>): HourBill {
  const by = (task: string, from: readonly Invocation[] = hour.invocations) =>
    from.filter((i) => i.task === task);
  // The local crawler and queries finish at once, so the run polled less than AWS would: put
  // back the polls of a crawl of MODEL.crawlMs (30 s waits) and of the checks (5 s waits).
  // Each is a Wait, a Task and a Choice, and an invocation like the run's own polls.
  const missingPolls = (poll: string, start: string, wanted: number) => {
    const like = by(poll)[0] ?? by(start)[0];
    const n = wanted - by(poll).length;
    return n > 0 && like ? Array.from({ length: n }, () => ({ ...like, task: poll })) : [];
  };
  const crawlWaits = hour.crawlerStarts > 0 ? Math.ceil(MODEL.crawlMs / 30_000) : 0;
  const validationWaits = Math.ceil(MODEL.athenaQueryMs / 5_000);
  const added = [
    ...missingPolls("GetCrawlerStatus", "StartCrawler", crawlWaits),
    ...missingPolls("GetValidationStatus", "StartValidation", validationWaits),
  ];
  const all = [...hour.invocations, ...added];
  const transitions = hour.transitions + 3 * added.length;

  const cold = coldEnvironments(all);
  const gbSeconds =
    all.reduce((s, i) => s + (modeledMs(i) / 1000) * (MEMORY_MB[i.step] / 1024), 0) +
    [...cold].reduce(
      (s, [step, n]) => s + n * (MODEL.coldStartMs / 1000) * (MEMORY_MB[step] / 1024),
      0,
    );

  // The function's S3 requests, then Athena's and the crawler's (billed to the bucket owner).
  const s3 = totalS3(all);
  for (const q of hour.queries) {
    s3.list += q.tables.length;
    s3.get += q.files * MODEL.athenaGetsPerFile + 1;
    s3.put += MODEL.athenaResultPuts;
  }
  if (hour.crawlerStarts > 0) {
    s3.list += hour.crawlerTargets;
    // Crawling every run reads only the new folders; a schema-change crawl reads everything.
    s3.get += hour.crawl === "every-run" ? hour.lakeFiles.thisHour : hour.lakeFiles.all;
  }
  const athenaBilled = hour.queries.reduce(
    (n, q) => n + Math.max(MODEL.athenaMinimumBytes, q.bytes),
    0,
  );
  // Middy reads the secret once per cold extract environment, besides the counted reads.
  const secretsCalls =
    hour.secretsManagerCalls +
    (cold.get("extract-playlist") ?? 0) +
    (cold.get("extract-artists") ?? 0);
  const logBytes =
    hour.logs.bytes +
    hour.logs.lines * MODEL.logEventOverheadBytes +
    all.length * MODEL.platformLogBytesPerInvocation;
  const crawlHours = Math.max(MODEL.crawlerMinimumMinutes * 60_000, MODEL.crawlMs) / 3_600_000;
  const p = (name: PriceName) => prices[name].usd;
  const usd: Record<string, number> = {
    "Step Functions": transitions * p("stepFunctionsStateTransition"),
    Lambda: all.length * p("lambdaRequest") + gbSeconds * p("lambdaArmGbSecond"),
    "S3 requests":
      (s3.put + s3.list + s3.post) * p("s3PutClassRequest") + s3.get * p("s3GetClassRequest"),
    Athena: (athenaBilled / 1024 ** 4) * p("athenaTbScanned"),
    "Glue crawler": hour.crawlerStarts * MODEL.crawlerDpus * crawlHours * p("glueCrawlerDpuHour"),
    "Glue catalog": hour.glueCatalogRequests * p("glueCatalogRequest"),
    "Secrets Manager": secretsCalls * p("secretsManagerApiCall"),
    "CloudWatch Logs": (logBytes / 1024 ** 3) * p("cloudWatchLogsIngestedGb"),
    // Step Functions and the functions it invokes share one trace per execution.
    "X-Ray": p("xrayTraceRecorded"),
  };

  // The run's critical path in AWS: its steps in order (one cold start each), the Map on its
  // lanes, the waits, and Step Functions' own latency (the Map's iterations share the lanes).
  const ms = (task: string) => by(task, all).reduce((s, i) => s + modeledMs(i), 0);
  // On the normal path an iteration is its one ExtractPlaylist Task (a rate-limit wait adds
  // states, and a Task call, to its iteration).
  const mapTransitions = by(EXTRACT_TASK).length;
  const parts: Record<string, number> = {
    "cold starts": MODEL.coldStartMs * cold.size,
    PrepareRun: ms("PrepareRun"),
    ExtractPlaylists: makespan(by(EXTRACT_TASK).map(modeledMs), MAP_LANES),
    ExtractArtists: ms("ExtractArtists"),
    TransformSnapshot: ms("TransformSnapshot"),
    crawl: ms("StartCrawler") + ms("GetCrawlerStatus") + crawlWaits * 30_000,
    validation: ms("StartValidation") + ms("GetValidationStatus") + validationWaits * 5_000,
    "state transitions":
      (transitions - mapTransitions + mapTransitions / MAP_LANES) * MODEL.transitionMs,
  };
  return {
    label: hour.label,
    crawl: hour.crawl,
    usd,
    totalUsd: Object.values(usd).reduce((a, b) => a + b, 0),
    counts: {
      transitions,
      invocations: all.length,
      lambdaGbSeconds: gbSeconds,
      s3,
      athenaQueries: hour.queries.length,
      athenaBytesScanned: hour.queries.reduce((n, q) => n + q.bytes, 0),
      athenaBytesBilled: athenaBilled,
      crawlerRuns: hour.crawlerStarts,
      glueCatalogRequests: hour.glueCatalogRequests,
      secretsManagerCalls: secretsCalls,
      logBytes,
      storedBytes: hour.storedBytes.raw + hour.storedBytes.lake,
    },
    modeledRunMs: Math.round(Object.values(parts).reduce((a, b) => a + b, 0)),
    modeledParts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v)])),
  };
}

/** Costs of the stage that do not depend on runs: the key, the secret, alarms, the metric. */
export function fixedMonthlyUsd(prices: Record<PriceName, Price>): Record<string, number> {
  const alarms = STAGE_ALARM_COUNT;
  return {
    "KMS key (alert topic)": prices.kmsKeyMonth.usd,
    "Secrets Manager secret": prices.secretsManagerSecretMonth.usd,
    [`CloudWatch alarms (${alarms})`]: alarms * prices.cloudWatchAlarmMonth.usd,
    "CloudWatch custom metric": prices.cloudWatchCustomMetricMonth.usd,
  };
}

/** Monthly allowances that never expire (bench/aws-prices.json `alwaysFree`). */
export function loadAlwaysFree(file = PRICES_FILE): Record<string, number> {
  const { alwaysFree } = JSON.parse(readFileSync(file, "utf8")) as {
    alwaysFree: Record<string, { amount?: number }>;
  };
  return Object.fromEntries(
    Object.entries(alwaysFree).flatMap(([k, v]) =>
      typeof v.amount === "number" ? [[k, v.amount]] : [],
    ),
  );
}

/**
 * What a month of these runs would save if the account's always-free allowances went to
 * this stage alone: (bill, runs) pairs are the month's runs.
 */
export function alwaysFreeSavingsUsd(
  runs: readonly { bill: HourBill; count: number }[],
  prices: Record<PriceName, Price>,
  free: Record<string, number>,
): number {
  const sum = (f: (b: HourBill) => number) => runs.reduce((s, r) => s + r.count * f(r.bill), 0);
  const allowance = (name: string, used: number, price: number) =>
    Math.min(free[name] ?? 0, used) * price;
  const alarms = STAGE_ALARM_COUNT;
  return (
    allowance(
      "stepFunctionsStateTransitions",
      sum((b) => b.counts.transitions),
      prices.stepFunctionsStateTransition.usd,
    ) +
    allowance(
      "lambdaRequests",
      sum((b) => b.counts.invocations),
      prices.lambdaRequest.usd,
    ) +
    allowance(
      "lambdaGbSeconds",
      sum((b) => b.counts.lambdaGbSeconds),
      prices.lambdaArmGbSecond.usd,
    ) +
    allowance("cloudWatchAlarms", alarms, prices.cloudWatchAlarmMonth.usd) +
    allowance("cloudWatchCustomMetrics", 1, prices.cloudWatchCustomMetricMonth.usd) +
    allowance(
      "cloudWatchLogsIngestedGb",
      sum((b) => b.counts.logBytes) / 1024 ** 3,
      prices.cloudWatchLogsIngestedGb.usd,
    ) +
    allowance(
      "xrayTraces",
      sum(() => 1),
      prices.xrayTraceRecorded.usd,
    ) +
    allowance(
      "glueCatalogRequests",
      sum((b) => b.counts.glueCatalogRequests),
      prices.glueCatalogRequest.usd,
    )
  );
}
