// The local runtime: runs statemachine/pipeline.asl.json on this machine with the same ASL
// file, interpreted by aws-local-stepfunctions, calling the same Middy handlers the Lambdas
// run, with local adapters behind the ports (a folder for S3, DuckDB for Glue and Athena).
// What the pipeline is (steps, states, output) is statemachine/pipeline.ts; this file wires
// a handler to each step and runs an execution, reporting its states as they go.

import "./polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { join } from "node:path";
import { spotifySecretFromValue } from "../functions/commons/spotify-credentials";
import type { SpotifyClientSettings, SpotifyCredentials } from "../functions/commons/spotify";
import { createCrawlLakeHandler } from "../functions/crawl-lake/handler";
import { createExtractArtistsHandler } from "../functions/extract-artists/handler";
import { createExtractPlaylistHandler } from "../functions/extract-playlist/handler";
import { createPrepareRunHandler } from "../functions/prepare-run/handler";
import { createTransformSnapshotHandler } from "../functions/transform-snapshot/handler";
import { createValidateSnapshotHandler } from "../functions/validate-snapshot/handler";
import type { PipelineStep } from "../statemachine/pipeline";
import {
  allStates,
  loadPipelineDefinition,
  stepCalledBy,
  taskStates,
} from "../statemachine/pipeline";
import type { CrawlPolicy } from "../functions/commons/config";
import { DuckDbCatalog } from "./adapters/duckdb-catalog";
import { DuckDbCrawler, localCatalogPaths } from "./adapters/duckdb-crawler";
import { DuckDbQueryEngine } from "./adapters/duckdb-query-engine";
import { FileObjectStore } from "./adapters/file-object-store";
import type { LambdaHandler } from "./lambda-runtime";
import { lambdaInvokeAdapter } from "./lambda-runtime";

export interface LocalPipelineOptions {
  /** Root of the local lake: raw/, lake/, catalog/, query-results/. */
  dataDir: string;
  /** The execution input, as given to StartExecution. */
  input: unknown;
  spotify: SpotifyClientSettings & { credentials: SpotifyCredentials };
  /** The prepare-run function's PLAYLIST_IDS. */
  defaultPlaylists: readonly string[];
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
}

export const localPaths = (dataDir: string) => ({
  raw: join(dataDir, "raw"),
  lake: join(dataDir, "lake"),
  ...localCatalogPaths(dataDir),
});

/** The handler each step's Lambda runs, built on the local adapters. */
function localHandlers(
  options: Pick<LocalPipelineOptions, "dataDir" | "spotify" | "defaultPlaylists" | "crawl">,
): Record<PipelineStep, LambdaHandler> {
  const paths = localPaths(options.dataDir);
  const rawStore = new FileObjectStore(paths.raw);
  const lakeStore = new FileObjectStore(paths.lake);
  const { credentials, ...spotifySettings } = options.spotify;
  const extractDeps = {
    rawStore,
    spotifySecret: spotifySecretFromValue(credentials),
    spotifySettings,
  };
  return {
    "prepare-run": createPrepareRunHandler({ defaultPlaylists: options.defaultPlaylists }),
    "extract-playlist": createExtractPlaylistHandler(extractDeps),
    "extract-artists": createExtractArtistsHandler(extractDeps),
    "transform-snapshot": createTransformSnapshotHandler({ rawStore, lakeStore }),
    "crawl-lake": createCrawlLakeHandler({
      crawler: new DuckDbCrawler(lakeStore, paths.catalog, paths.crawlerState),
      catalog: new DuckDbCatalog(lakeStore, paths.catalog),
      policy: options.crawl ?? "on-schema-change",
    }),
    "validate-snapshot": createValidateSnapshotHandler({
      queryEngine: new DuckDbQueryEngine(paths.catalog, paths.queryResults),
    }),
  };
}

type TaskHandler = (parameters: unknown) => Promise<unknown>;

/**
 * The interpreter's handler for every Task state, by state name: the handler of the step the
 * Task calls, behind the `lambda:invoke` adapter and the test's `aroundTask`. A Task without
 * a local handler would call real AWS Lambda: refuse to start instead. Each call is added to
 * `inflight` until it settles.
 */
function localTaskHandlers(
  definition: StateMachineDefinition,
  options: LocalPipelineOptions,
  inflight: Set<Promise<unknown>>,
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
    taskHandlers[task.name] = (parameters) => {
      const call = around ? around(() => invoke(parameters), parameters) : invoke(parameters);
      inflight.add(call);
      void call.catch(() => undefined).finally(() => inflight.delete(call));
      return call;
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

/** Turns the interpreter's events into StateProgress reports, noting how the execution failed. */
async function reportStateEvents(
  events: ExecutionEvents,
  observed: ObservedFailure,
  onStateEvent: LocalPipelineOptions["onStateEvent"],
): Promise<void> {
  const entered = new Map<string, number>();
  for await (const event of events) {
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
    onStateEvent?.({ phase, ...base, durationMs, ...errorInfo });
  }
}

export async function runPipelineLocally(options: LocalPipelineOptions): Promise<LocalRunResult> {
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
  const taskHandlers = localTaskHandlers(definition, options, inflight);
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

  const startTime = options.startTime ?? new Date();
  const executionName = options.executionName ?? `local-${startTime.getTime()}`;
  const executionId = `arn:aws:states:local:000000000000:execution:spotify-lake-pipeline:${executionName}`;
  const machine = new StateMachine(definition, {
    // Starting mid-way leaves earlier states unreachable, which the validator refuses; the
    // unmodified file is validated on every other run and by the state machine tests.
    validationOptions: { checkArn: false, checkPaths: true, noValidate: redrive !== undefined },
  });
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
  const logs = reportStateEvents(execution.eventLogs, observed, options.onStateEvent);

  let result: LocalRunResult;
  try {
    const output = await execution.result;
    await logs;
    result = { status: "SUCCEEDED", executionId, executionName, output, durationMs: 0 };
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
      durationMs: 0,
    };
  }
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
  return { ...result, durationMs: Date.now() - started };
}
