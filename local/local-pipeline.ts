// The local runtime: runs statemachine/pipeline.asl.json on this machine with the same ASL
// file, interpreted by aws-local-stepfunctions, calling the same Middy handlers the Lambdas
// run, with local adapters behind the ports (a folder for S3, DuckDB for Glue and Athena).
// What the pipeline is (steps, states, output) is statemachine/pipeline.ts; this file wires
// a handler to each step and runs an execution, reporting its states as they go. A
// Distributed Map state is run by the local runtime itself (local/distributed-map.ts): each
// child is an execution of its own here too, with its own quota meter, and its states are
// reported like the parent's, with the child's index as `iteration`.

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
import type { ChildExecution, ChildOutcome, DistributedMapDefinition } from "./distributed-map";
import {
  DistributedMapError,
  LOCAL_DISTRIBUTED_MAP_RESOURCE,
  runDistributedMap,
  withLocalDistributedMaps,
} from "./distributed-map";
import type { ExtractSettings } from "../functions/core/prepare-run";
import { DEFAULT_EXTRACT_SETTINGS } from "../functions/core/prepare-run";
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
  /** The prepare-run function's PLAYLISTS_OBJECT_KEY: a JSON list in the local raw store. */
  playlistsObjectKey?: string;
  /** The prepare-run function's EXTRACT_CONCURRENCY and EXTRACT_BATCH_SIZE (defaults 4, 25). */
  extract?: Partial<ExtractSettings>;
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
  /**
   * When a Distributed Map failed (States.ExceedToleratedFailureThreshold, as AWS reports a
   * Map Run whose child failed): the first failed child's error, as its FAILED results file
   * records it. That error is what to act on; AWS keeps it only in the Map Run.
   */
  mapRunFailure?: { state: string; child: string; error: string; cause: string };
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
    | "playlistsObjectKey"
    | "extract"
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
      rawStore,
      defaultPlaylists: options.defaultPlaylists,
      ...(options.playlistsObjectKey ? { playlistsObjectKey: options.playlistsObjectKey } : {}),
      extractSettings: { ...DEFAULT_EXTRACT_SETTINGS, ...options.extract },
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
  states: StateMachineDefinition["States"],
  handlers: Record<PipelineStep, LambdaHandler>,
  options: LocalPipelineOptions,
  inflight: Set<Promise<unknown>>,
  meter: QuotaMeter,
): Record<string, TaskHandler> {
  const taskHandlers: Record<string, TaskHandler> = {};
  for (const task of taskStates(states)) {
    if (task.functionRef === LOCAL_DISTRIBUTED_MAP_RESOURCE) continue;
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
  /** A Distributed Map child's index: its states are reported as that iteration's. */
  child?: number,
): Promise<void> {
  const entered = new Map<string, number>();
  for await (const event of events) {
    if (meter.observe(event)) abort();
    if (event.type === "ExecutionFailed") {
      observed.failure = { error: event.Error, cause: String(event.Cause ?? "") };
      continue;
    }
    if (!("state" in event)) continue;
    const iteration = child ?? event.index;
    const key = `${event.state.name}#${iteration ?? ""}`;
    const base = {
      state: event.state.name,
      ...(iteration !== undefined ? { iteration } : {}),
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
    if (event.type === "StateFailed" && iteration === undefined) {
      observed.failedState = { name: event.state.name, input: event.state.input };
    }
    const errorInfo =
      event.type === "StateFailed" ? { error: event.Error, cause: String(event.Cause) } : {};
    const output = event.type === "StateExited" ? { output: event.state.output } : {};
    onStateEvent?.({ phase, ...base, durationMs, ...output, ...errorInfo });
  }
}

const LOCAL_STATE_MACHINE_NAME = "spotify-lake-pipeline";
/** The longest a Lambda function may run (its timeout's maximum), in seconds. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * A Lambda Task without TimeoutSeconds waits in AWS until the function returns or times out
 * (at most 900 s); the interpreter would give it 60 s, which a transform at 10,000 playlists
 * exceeds. So each such Task (in the Map's children too) gets the Lambda's longest run.
 */
function withLambdaTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  const states = (all: StateMachineDefinition["States"]): StateMachineDefinition["States"] =>
    Object.fromEntries(
      Object.entries(all).map(([name, state]) => {
        if (
          state.Type === "Task" &&
          !("TimeoutSeconds" in state) &&
          !("TimeoutSecondsPath" in state)
        ) {
          return [name, { ...state, TimeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS }];
        }
        if (state.Type === "Map" && state.ItemProcessor) {
          const processor = state.ItemProcessor;
          return [
            name,
            { ...state, ItemProcessor: { ...processor, States: states(processor.States) } },
          ];
        }
        return [name, state];
      }),
    );
  return { ...definition, States: states(definition.States) };
}
/** The definition's placeholder for the raw bucket's name (ItemReader, ResultWriter). */
const RAW_BUCKET_PLACEHOLDER = "${RawBucketName}";
/** An Express execution's longest run (Step Functions quotas, "Express workflows"). */
const EXPRESS_MAX_DURATION_MS = 5 * 60_000;

interface ChildEnv {
  options: LocalPipelineOptions;
  handlers: Record<PipelineStep, LambdaHandler>;
  inflight: Set<Promise<unknown>>;
  parentMeter: QuotaMeter;
  onStateEvent: (event: StateProgress) => void;
}

/**
 * Runs each child execution of a Distributed Map: its own interpreter run of the
 * ItemProcessor, its own quota meter (counted into the parent's usage as a child, never into
 * the parent's history), the same local Lambdas and `aroundTask` for its Tasks, and its
 * states reported with the child's index. Waits are not slept locally, so an Express child's
 * 5 minutes count the waits it asked for on top of the time it took.
 */
function childRunner(map: DistributedMapDefinition, env: ChildEnv) {
  const executionType = map.ItemProcessor.ProcessorConfig.ExecutionType ?? "STANDARD";
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor;
  const childStates = processor.States;
  const machine = new StateMachine(processor as StateMachineDefinition, {
    validationOptions: { checkArn: false, checkPaths: true },
  });
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
  const overrides = {
    waitTimeOverrides: zero(
      allStates(childStates).flatMap(([n, st]) => (st.Type === "Wait" ? [n] : [])),
    ),
    retryIntervalOverrides: zero(
      allStates(childStates).flatMap(([n, st]) => ("Retry" in st ? [n] : [])),
    ),
  };
  return async (
    _definition: StateMachineDefinition,
    child: ChildExecution,
  ): Promise<ChildOutcome> => {
    const meter = new QuotaMeter({ executionType });
    const taskHandlers = localTaskHandlers(
      childStates,
      env.handlers,
      env.options,
      env.inflight,
      meter,
    );
    const started = Date.now();
    let waitedSeconds = 0;
    const execution = machine.run(child.input as never, {
      overrides: { ...overrides, taskResourceLocalHandlers: taskHandlers as never },
      context: {
        Execution: {
          Id: child.executionArn,
          Name: child.name,
          StartTime: new Date(started).toISOString(),
          Input: child.input as never,
          RedriveCount: 0,
        },
      },
    });
    const observed: ObservedFailure = {};
    const logs = reportStateEvents(
      execution.eventLogs,
      observed,
      (event) => {
        if (event.phase === "entered")
          waitedSeconds += waitSecondsOf(childStates[event.state], event.input);
        env.onStateEvent(event);
      },
      meter,
      execution.abort,
      child.index,
    );
    let outcome: ChildOutcome;
    try {
      const output = await execution.result;
      await logs;
      outcome = { status: "SUCCEEDED", output };
    } catch (error) {
      await logs.catch(() => undefined);
      outcome = {
        status: "FAILED",
        error: observed.failure?.error ?? (error as Error).name,
        cause: observed.failure?.cause ?? (error as Error).message,
      };
    }
    if (meter.violation) {
      outcome = { status: "FAILED", error: meter.violation.error, cause: meter.violation.cause };
    }
    const tookMs = Date.now() - started + waitedSeconds * 1000;
    if (executionType === "EXPRESS" && tookMs > EXPRESS_MAX_DURATION_MS) {
      outcome = {
        status: "FAILED",
        error: "States.Timeout",
        cause: `The Express child execution ran ${Math.round(tookMs / 1000)} s (waits included); the limit is 300 s.`,
      };
    }
    env.parentMeter.addChild(meter.usage());
    return outcome;
  };
}

/** Seconds a Wait state asks for (Seconds or a SecondsPath of `$.a.b` form); 0 for others. */
function waitSecondsOf(
  state: StateMachineDefinition["States"][string] | undefined,
  input: unknown,
) {
  if (state?.Type !== "Wait") return 0;
  const wait = state as { Seconds?: number; SecondsPath?: string };
  if (typeof wait.Seconds === "number") return wait.Seconds;
  if (!wait.SecondsPath?.startsWith("$.")) return 0;
  const value = wait.SecondsPath.slice(2)
    .split(".")
    .reduce<unknown>((at, field) => (at as Record<string, unknown> | undefined)?.[field], input);
  return typeof value === "number" ? value : 0;
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
  const loaded = loadPipelineDefinition();
  const { redrive } = options;
  if (redrive) {
    if (!(redrive.failedState.name in loaded.States)) {
      throw new Error(`cannot redrive from ${redrive.failedState.name}: no such top-level state`);
    }
    loaded.StartAt = redrive.failedState.name;
  }
  const { definition, maps } = withLocalDistributedMaps(withLambdaTimeouts(loaded));

  // In-flight calls are tracked so the run returns only when every Lambda has finished, as
  // Map iterations still running when the Map failed do in AWS.
  const inflight = new Set<Promise<unknown>>();
  const meter = new QuotaMeter({ distributedMaps: new Set(maps.keys()) });
  const handlers = localHandlers(options);
  const taskHandlers = localTaskHandlers(definition.States, handlers, options, inflight, meter);
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

  const startTime = options.startTime ?? new Date();
  // Two runs started in the same millisecond must not share an execution (and so a lease).
  const executionName = options.executionName ?? newExecutionName(startTime);
  const executionId = `arn:aws:states:local:000000000000:execution:${LOCAL_STATE_MACHINE_NAME}:${executionName}`;
  const childEnv: ChildEnv = {
    options,
    handlers,
    inflight,
    parentMeter: meter,
    onStateEvent: (event) => options.onStateEvent?.(event),
  };
  const context = {
    Execution: {
      Id: executionId,
      Name: executionName,
      StartTime: startTime.toISOString(),
      Input: options.input,
      RedriveCount: redrive?.redriveCount ?? 0,
    },
  };
  let mapRunFailure: LocalRunResult["mapRunFailure"];
  for (const [name, map] of maps) {
    taskHandlers[name] = (input) =>
      runDistributedMap(name, map, {
        input,
        context,
        buckets: { [RAW_BUCKET_PLACEHOLDER]: new FileObjectStore(localPaths(options.dataDir).raw) },
        stateMachineName: LOCAL_STATE_MACHINE_NAME,
        runChild: childRunner(map, childEnv),
        stopped: () => meter.violation !== undefined,
      }).catch((error: unknown) => {
        const child = error instanceof DistributedMapError ? error.failedChild : undefined;
        if (child) {
          mapRunFailure = {
            state: name,
            child: child.name,
            error: child.error,
            cause: child.cause,
          };
        }
        throw error;
      });
  }
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
    // A redrive keeps the execution's original input (context.Execution.Input).
    context: context as never,
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
  const final = {
    ...result,
    ...(result.status === "FAILED" && mapRunFailure ? { mapRunFailure } : {}),
    quotas: meter.usage(),
    durationMs: Date.now() - started,
  };
  await record.save(final);
  return final;
}
