// The local runtime: runs statemachine/pipeline.asl.json on this machine with the same ASL
// file, interpreted by aws-local-stepfunctions, calling the same Middy handlers the Lambdas
// run, with local adapters behind the ports (a folder for S3, DuckDB for Glue and Athena).
// What the pipeline is (steps, states, output) is statemachine/pipeline.ts; this file wires
// a handler to each step and runs an execution, reporting its states as they go.

import "./polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { spotifySecretFromValue } from "../functions/commons/spotify-credentials";
import type {
  SpotifyClientSettings,
  SpotifyCredentials,
  SpotifyCredentialsStore,
} from "../functions/commons/spotify";
import { createCrawlLakeHandler } from "../functions/crawl-lake/handler";
import { createExtractArtistsHandler } from "../functions/extract-artists/handler";
import { createExtractPlaylistHandler } from "../functions/extract-playlist/handler";
import { createPrepareRunHandler } from "../functions/prepare-run/handler";
import type { UnavailablePlaylistsPolicy } from "../functions/core/prepare-run";
import { createTransformSnapshotHandler } from "../functions/transform-snapshot/handler";
import { createValidateSnapshotHandler } from "../functions/validate-snapshot/handler";
import type { PipelineStep } from "../statemachine/pipeline";
import {
  allStates,
  loadPipelineDefinition,
  stepCalledBy,
  taskStates,
} from "../statemachine/pipeline";
import { artistMaxAgeHoursEnv, type CrawlPolicy } from "../functions/commons/config";
import type {
  Catalog,
  ConditionalObjectStore,
  Crawler,
  LeaseHolderProcess,
  QueryEngine,
} from "../functions/commons/ports";
import { DuckDbCatalog } from "./adapters/duckdb-catalog";
import { DuckDbCrawler, localCatalogPaths } from "./adapters/duckdb-crawler";
import { DuckDbQueryEngine } from "./adapters/duckdb-query-engine";
import { FileObjectStore } from "./adapters/file-object-store";
import { processLiveness } from "./adapters/process-liveness";
import { removeAbandonedTemporaries } from "./adapters/temporary-files";
import type { QuotaUsage } from "./aws-quotas";
import { QuotaExceededError, QuotaMeter } from "./aws-quotas";
import type { LambdaHandler } from "./lambda-runtime";
import { lambdaInvokeAdapter } from "./lambda-runtime";
import { runRecorder } from "./run-records";

export interface LocalPipelineOptions {
  /** Root of the local lake: raw/, lake/, catalog/, query-results/. */
  dataDir: string;
  /** The execution input, as given to StartExecution. */
  input: unknown;
  spotify: SpotifyClientSettings & { credentials: SpotifyCredentials };
  /**
   * Stands for the Spotify secret: where the run's extract steps share their access token
   * and store a rotated refresh token. Default: one held in memory for this run.
   */
  credentialsStore?: SpotifyCredentialsStore;
  /** The prepare-run function's PLAYLIST_IDS. */
  defaultPlaylists: readonly string[];
  /** The prepare-run function's UNAVAILABLE_PLAYLISTS (default "fail"). */
  unavailablePlaylists?: UnavailablePlaylistsPolicy;
  executionName?: string;
  startTime?: Date;
  onStateEvent?: (event: StateProgress) => void;
  /**
   * Emulates Step Functions redrive: resume at this top-level state with the input it had
   * when it failed (`failedState` of the failed run), the same execution name, and
   * `$$.Execution.RedriveCount` raised by one.
   */
  redrive?: { failedState: FailedState; redriveCount: number };
  /** The crawl step's policy (a stage's `crawl` setting); default on-schema-change. */
  crawl?: CrawlPolicy;
  /** Wraps a Task's handler by state name, e.g. to inject a fault between two steps. */
  aroundTask?: Partial<Record<string, AroundTask>>;
  /**
   * Wraps the local adapters the functions call: to count what AWS would bill (the bench's
   * cost section), or to make the process die at its Nth write (the kill tests).
   */
  adapters?: AdapterWrappers;
  /** The process its snapshot leases name (tests: one that has died). Default: this one. */
  leaseHolder?: LeaseHolderProcess;
}

/**
 * Each wrapper gets the local adapter and returns what the handlers use instead. The object
 * stores are the functions' S3 buckets; the crawler and catalog keep the unwrapped lake
 * folder, which stands for what Glue (not the function) reads.
 */
export interface AdapterWrappers {
  objectStore?: (bucket: "raw" | "lake", store: ConditionalObjectStore) => ConditionalObjectStore;
  crawler?: (crawler: Crawler) => Crawler;
  catalog?: (catalog: Catalog) => Catalog;
  queryEngine?: (engine: QueryEngine) => QueryEngine;
}

/** Call `invoke` to run the real handler. */
export type AroundTask = (invoke: () => Promise<unknown>, parameters: unknown) => Promise<unknown>;

export interface FailedState {
  name: string;
  input: unknown;
}

export interface StateProgress {
  phase: "entered" | "succeeded" | "failed" | "retried" | "caught";
  state: string;
  /** Map iteration index, for states inside the Map. */
  iteration?: number;
  /** The state's input: what a redrive of this state would be given. */
  input?: unknown;
  /** What the state left, when it succeeded. */
  output?: unknown;
  durationMs?: number;
  error?: string;
  cause?: string;
}

export interface LocalRunResult {
  status: "SUCCEEDED" | "FAILED";
  executionId: string;
  executionName: string;
  /** What the last state left, when SUCCEEDED: a PipelineOutput (statemachine/pipeline.ts). */
  output?: unknown;
  error?: string;
  cause?: string;
  /** The top-level state the execution failed in, with its input: where a redrive resumes. */
  failedState?: FailedState;
  durationMs: number;
  /** History events AWS would have written, and the largest payload (see local/aws-quotas.ts). */
  quotas: QuotaUsage;
}

export const localPaths = (dataDir: string) => ({
  raw: join(dataDir, "raw"),
  lake: join(dataDir, "lake"),
  ...localCatalogPaths(dataDir),
});

/** The handler each step's Lambda runs, built on the local adapters. */
function localHandlers(
  options: Pick<
    LocalPipelineOptions,
    | "dataDir"
    | "spotify"
    | "defaultPlaylists"
    | "credentialsStore"
    | "crawl"
    | "unavailablePlaylists"
    | "adapters"
    | "leaseHolder"
  >,
): Record<PipelineStep, LambdaHandler> {
  const paths = localPaths(options.dataDir);
  const wrap = options.adapters ?? {};
  const lakeFolder = new FileObjectStore(paths.lake);
  const rawStore =
    wrap.objectStore?.("raw", new FileObjectStore(paths.raw)) ?? new FileObjectStore(paths.raw);
  const lakeStore = wrap.objectStore?.("lake", lakeFolder) ?? lakeFolder;
  const crawler = new DuckDbCrawler(lakeFolder, paths.catalog, paths.crawlerState);
  const catalog = new DuckDbCatalog(lakeFolder, paths.catalog);
  const queryEngine = new DuckDbQueryEngine(paths.catalog, paths.queryResults);
  const leaseLiveness = processLiveness(options.leaseHolder);
  const { credentials, ...spotifySettings } = options.spotify;
  const extractDeps = {
    rawStore,
    leaseLiveness,
    spotifySecret: spotifySecretFromValue(credentials),
    credentialsStore: options.credentialsStore ?? credentialsInMemory(credentials),
    spotifySettings,
    // As the stage sets it for the Lambda; 24 h unless ARTIST_MAX_AGE_HOURS says otherwise.
    artistMaxAgeHours: artistMaxAgeHoursEnv(),
  };
  return {
    "prepare-run": createPrepareRunHandler({
      defaultPlaylists: options.defaultPlaylists,
      ...(options.unavailablePlaylists
        ? { unavailablePlaylists: options.unavailablePlaylists }
        : {}),
    }),
    "extract-playlist": createExtractPlaylistHandler(extractDeps),
    "extract-artists": createExtractArtistsHandler(extractDeps),
    "transform-snapshot": createTransformSnapshotHandler({ rawStore, lakeStore, leaseLiveness }),
    "crawl-lake": createCrawlLakeHandler({
      crawler: wrap.crawler?.(crawler) ?? crawler,
      catalog: wrap.catalog?.(catalog) ?? catalog,
      lakeStore,
      leaseStore: rawStore,
      leaseLiveness,
      policy: options.crawl ?? "on-schema-change",
    }),
    "validate-snapshot": createValidateSnapshotHandler({
      queryEngine: wrap.queryEngine?.(queryEngine) ?? queryEngine,
    }),
  };
}

/** A run's Spotify secret, held in memory: what AWS keeps in Secrets Manager. */
export function credentialsInMemory(initial: SpotifyCredentials): SpotifyCredentialsStore {
  let current = { ...initial };
  return {
    load: async () => ({ ...current }),
    save: async (credentials) => {
      current = { ...credentials };
    },
  };
}

type TaskHandler = (parameters: unknown) => Promise<unknown>;

/**
 * The interpreter's handler for every Task state, by state name: the handler of the step the
 * Task calls, behind the `lambda:invoke` adapter and the test's `aroundTask`. A Task without
 * a local handler would call real AWS Lambda: refuse to start instead. Each call is added to
 * `inflight` until it settles. The Task's input (after Parameters) and its result are held to
 * AWS's payload limit, and no Task starts once an earlier state broke a quota.
 */
function localTaskHandlers(
  definition: StateMachineDefinition,
  options: LocalPipelineOptions,
  inflight: Set<Promise<unknown>>,
  meter: QuotaMeter,
): Record<string, TaskHandler> {
  const handlers = localHandlers(options);
  const taskHandlers: Record<string, TaskHandler> = {};
  for (const task of taskStates(definition.States)) {
    const step = stepCalledBy(task.functionRef);
    if (!step) {
      throw new Error(`Task ${task.name} calls ${task.functionRef}, which has no local handler`);
    }
    const invoke = lambdaInvokeAdapter(`spotify-lake-local-${step}`, handlers[step]);
    const around = options.aroundTask?.[task.name];
    taskHandlers[task.name] = async (parameters) => {
      // The meter reads the interpreter's events asynchronously: let it catch up first, so a
      // quota an earlier state broke stops the run before this Task does anything.
      await new Promise((resolve) => setImmediate(resolve));
      const before = meter.violation ?? meter.checkPayload(task.name, "input", parameters);
      if (before) throw new QuotaExceededError(before);
      const call = around ? around(() => invoke(parameters), parameters) : invoke(parameters);
      inflight.add(call);
      void call.catch(() => undefined).finally(() => inflight.delete(call));
      const result = await call;
      const after = meter.checkPayload(task.name, "result", result);
      if (after) throw new QuotaExceededError(after);
      return result;
    };
  }
  return taskHandlers;
}

type ExecutionEvents = ReturnType<StateMachine["run"]>["eventLogs"];

/** How the execution failed, as far as its events have told so far. */
interface ObservedFailure {
  failure?: { error?: string; cause?: string };
  failedState?: FailedState;
}

/**
 * Turns the interpreter's events into StateProgress reports, noting how the execution failed;
 * each event also goes through the quota meter, and a broken quota stops the execution.
 */
async function reportStateEvents(
  events: ExecutionEvents,
  observed: ObservedFailure,
  onStateEvent: LocalPipelineOptions["onStateEvent"],
  meter: QuotaMeter,
  abort: () => void,
): Promise<void> {
  const entered = new Map<string, number>();
  for await (const event of events) {
    if (meter.observe(event)) abort();
    if (event.type === "ExecutionFailed") {
      observed.failure = { error: event.Error, cause: String(event.Cause ?? "") };
      continue;
    }
    if (!("state" in event)) continue;
    const key = `${event.state.name}#${event.index ?? ""}`;
    const base = {
      state: event.state.name,
      ...(event.index !== undefined ? { iteration: event.index } : {}),
      input: event.state.input,
    };
    if (event.type === "StateEntered") {
      entered.set(key, event.timestamp);
      onStateEvent?.({ phase: "entered", ...base });
      continue;
    }
    const durationMs = event.timestamp - (entered.get(key) ?? event.timestamp);
    const phase =
      event.type === "StateExited"
        ? "succeeded"
        : event.type === "StateFailed"
          ? "failed"
          : event.type === "StateRetried"
            ? "retried"
            : "caught";
    if (event.type === "StateFailed" && event.index === undefined) {
      observed.failedState = { name: event.state.name, input: event.state.input };
    }
    const errorInfo =
      event.type === "StateFailed" ? { error: event.Error, cause: String(event.Cause) } : {};
    const output = event.type === "StateExited" ? { output: event.state.output } : {};
    onStateEvent?.({ phase, ...base, durationMs, ...output, ...errorInfo });
  }
}

/** Refuses a data folder that exists but is not a folder, naming it. */
function checkDataDir(dataDir: string): void {
  let isFolder = true;
  try {
    isFolder = statSync(dataDir).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (!isFolder) {
    throw new Error(
      `the data folder ${dataDir} is a file, not a folder: give --data-dir (or ` +
        "SPOTIFY_LAKE_DATA_DIR) a folder, new or holding a local lake",
    );
  }
}

/** Definitions (as JSON) this process has already validated: the constructor threw for none. */
const validDefinitions = new Set<string>();

/** An execution name as the console makes them unique: the start time and a random part. */
const newExecutionName = (startTime: Date): string =>
  `local-${startTime.getTime()}-${randomBytes(4).toString("hex")}`;

export async function runPipelineLocally(options: LocalPipelineOptions): Promise<LocalRunResult> {
  checkDataDir(options.dataDir);
  // Temporary files of writes a killed run never finished (their writer is gone).
  await removeAbandonedTemporaries(options.dataDir);
  const definition = loadPipelineDefinition();
  const { redrive } = options;
  if (redrive) {
    if (!(redrive.failedState.name in definition.States)) {
      throw new Error(`cannot redrive from ${redrive.failedState.name}: no such top-level state`);
    }
    definition.StartAt = redrive.failedState.name;
  }

  // In-flight calls are tracked so the run returns only when every Lambda has finished, as
  // Map iterations still running when the Map failed do in AWS.
  const inflight = new Set<Promise<unknown>>();
  const meter = new QuotaMeter();
  const taskHandlers = localTaskHandlers(definition, options, inflight, meter);
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

  const startTime = options.startTime ?? new Date();
  // Two runs started in the same millisecond must not share an execution (and so a lease).
  const executionName = options.executionName ?? newExecutionName(startTime);
  const executionId = `arn:aws:states:local:000000000000:execution:spotify-lake-pipeline:${executionName}`;
  // Starting mid-way leaves earlier states unreachable, which the validator refuses; the
  // unmodified file is validated on every other run and by the state machine tests. Once per
  // process per definition: asl-validator compiles its JSON schemas on every call (~0.3 s).
  const definitionText = JSON.stringify(definition);
  const machine = new StateMachine(definition, {
    validationOptions: {
      checkArn: false,
      checkPaths: true,
      noValidate: redrive !== undefined || validDefinitions.has(definitionText),
    },
  });
  if (redrive === undefined) validDefinitions.add(definitionText);
  const execution = machine.run((redrive ? redrive.failedState.input : options.input) as never, {
    overrides: {
      taskResourceLocalHandlers: taskHandlers as never,
      waitTimeOverrides: zero(
        allStates(definition.States).flatMap(([n, st]) => (st.Type === "Wait" ? [n] : [])),
      ),
      retryIntervalOverrides: zero(
        allStates(definition.States).flatMap(([n, st]) => ("Retry" in st ? [n] : [])),
      ),
    },
    context: {
      Execution: {
        Id: executionId,
        Name: executionName,
        StartTime: startTime.toISOString(),
        // A redrive keeps the execution's original input.
        Input: options.input as never,
        RedriveCount: redrive?.redriveCount ?? 0,
      },
    },
  });

  const observed: ObservedFailure = {};
  const started = Date.now();
  const record = runRecorder(options.dataDir, {
    executionName,
    startTime,
    redriveCount: redrive?.redriveCount ?? 0,
  });
  const logs = reportStateEvents(
    execution.eventLogs,
    observed,
    (event) => {
      record.observe(event);
      options.onStateEvent?.(event);
    },
    meter,
    execution.abort,
  );

  const zeroUsage = { durationMs: 0, quotas: meter.usage() };
  let result: LocalRunResult;
  try {
    const output = await execution.result;
    await logs;
    result = { status: "SUCCEEDED", executionId, executionName, output, ...zeroUsage };
  } catch (error) {
    await logs.catch(() => undefined);
    const { failure, failedState } = observed;
    result = {
      status: "FAILED",
      executionId,
      executionName,
      error: failure?.error ?? (error as Error).name,
      cause: failure?.cause ?? (error as Error).message,
      ...(failedState ? { failedState } : {}),
      ...zeroUsage,
    };
  }
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
  const quota = meter.violation;
  if (quota) {
    // As in AWS, a broken quota fails the execution whatever the states did after it.
    const { output: _, ...rest } = result;
    result = {
      ...rest,
      status: "FAILED",
      error: quota.error,
      cause: quota.cause,
      ...(quota.state ? { failedState: quota.state } : {}),
    };
  }
  const final = { ...result, quotas: meter.usage(), durationMs: Date.now() - started };
  await record.save(final);
  return final;
}
