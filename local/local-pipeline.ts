// Runs statemachine/pipeline.asl.json on this machine: the same ASL file, interpreted by
// aws-local-stepfunctions, calling the same Middy handlers the Lambdas run, with local
// adapters behind the ports (a folder for S3, DuckDB for Glue and Athena).

import "./polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CrawlProgress } from "../functions/core/crawl/crawl-progress";
import type { Run } from "../functions/core/prepare-run";
import type { TransformReport } from "../functions/core/transform/transform-snapshot";
import type { ValidationProgress } from "../functions/core/validate/validation-progress";
import type { ExtractionSummary } from "../functions/extract-artists/handler";
import { spotifySecretFromValue } from "../functions/commons/spotify-credentials";
import type { SpotifyClientSettings, SpotifyCredentials } from "../functions/commons/spotify";
import { createCrawlLakeHandler } from "../functions/crawl-lake/handler";
import { createExtractArtistsHandler } from "../functions/extract-artists/handler";
import { createExtractPlaylistHandler } from "../functions/extract-playlist/handler";
import { createPrepareRunHandler } from "../functions/prepare-run/handler";
import { createTransformSnapshotHandler } from "../functions/transform-snapshot/handler";
import { createValidateSnapshotHandler } from "../functions/validate-snapshot/handler";
import { DuckDbCrawler, localCatalogPaths } from "./adapters/duckdb-crawler";
import { DuckDbQueryEngine } from "./adapters/duckdb-query-engine";
import { FileObjectStore } from "./adapters/file-object-store";
import type { LambdaHandler } from "./lambda-runtime";
import { lambdaInvokeAdapter } from "./lambda-runtime";

export const STATE_MACHINE_PATH = resolve(__dirname, "..", "statemachine", "pipeline.asl.json");

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

/** What a succeeded execution outputs: the state as the last state left it. */
export interface PipelineOutput {
  run: Run;
  /** Absent in reprocess mode, which does not call Spotify. */
  extraction?: Omit<ExtractionSummary, "missingArtists">;
  transform: Pick<TransformReport, "snapshot" | "rows" | "entries" | "files">;
  crawler: { crawl: CrawlProgress };
  validation: { checks: ValidationProgress };
}

export interface LocalRunResult {
  status: "SUCCEEDED" | "FAILED";
  executionId: string;
  executionName: string;
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

type StateDefinition = StateMachineDefinition["States"][string];

/** Every state of the definition with its name, those inside Map and Parallel included. */
export function allStates(states: StateMachineDefinition["States"]): [string, StateDefinition][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested =
      state.Type === "Map"
        ? [state.ItemProcessor ?? state.Iterator]
        : state.Type === "Parallel"
          ? state.Branches
          : [];
    return [
      [name, state] as [string, StateDefinition],
      ...nested.flatMap((branch) => (branch ? allStates(branch.States) : [])),
    ];
  });
}

/** Every Task state, with the function it invokes (or its Resource). */
export function taskStates(
  states: StateMachineDefinition["States"],
): { name: string; functionRef: string }[] {
  return allStates(states).flatMap(([name, state]) => {
    if (state.Type !== "Task") return [];
    const fn = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    return [{ name, functionRef: typeof fn === "string" ? fn : state.Resource }];
  });
}

export function localHandlers(
  options: Pick<LocalPipelineOptions, "dataDir" | "spotify" | "defaultPlaylists">,
) {
  const paths = localPaths(options.dataDir);
  const rawStore = new FileObjectStore(paths.raw);
  const lakeStore = new FileObjectStore(paths.lake);
  const { credentials, ...spotifySettings } = options.spotify;
  const extractDeps = {
    rawStore,
    spotifySecret: spotifySecretFromValue(credentials),
    spotifySettings,
  };
  const handlers: Record<string, LambdaHandler> = {
    PrepareRun: createPrepareRunHandler({ defaultPlaylists: options.defaultPlaylists }),
    ExtractPlaylist: createExtractPlaylistHandler(extractDeps),
    ExtractArtists: createExtractArtistsHandler(extractDeps),
    TransformSnapshot: createTransformSnapshotHandler({ rawStore, lakeStore }),
    CrawlLake: createCrawlLakeHandler({
      crawler: new DuckDbCrawler(lakeStore, paths.catalog, paths.crawlerState),
    }),
    ValidateSnapshot: createValidateSnapshotHandler({
      queryEngine: new DuckDbQueryEngine(paths.catalog, paths.queryResults),
    }),
  };
  return handlers;
}

const PLACEHOLDER = /^\$\{([A-Za-z]+)FunctionArn\}$/;

export function loadDefinition(): StateMachineDefinition {
  return JSON.parse(readFileSync(STATE_MACHINE_PATH, "utf8")) as StateMachineDefinition;
}

export async function runPipelineLocally(options: LocalPipelineOptions): Promise<LocalRunResult> {
  const definition = loadDefinition();
  const { redrive } = options;
  if (redrive) {
    if (!(redrive.failedState.name in definition.States)) {
      throw new Error(`cannot redrive from ${redrive.failedState.name}: no such top-level state`);
    }
    definition.StartAt = redrive.failedState.name;
  }
  const handlers = localHandlers(options);

  // A Task without a local handler would call real AWS Lambda: refuse to start instead.
  // In-flight calls are tracked so the run returns only when every Lambda has finished, as
  // Map iterations still running when the Map failed do in AWS.
  const inflight = new Set<Promise<unknown>>();
  const taskHandlers: Record<string, (parameters: unknown) => Promise<unknown>> = {};
  for (const task of taskStates(definition.States)) {
    const functionName = PLACEHOLDER.exec(task.functionRef)?.[1];
    const handler = functionName ? handlers[functionName] : undefined;
    if (!functionName || !handler) {
      throw new Error(`Task ${task.name} calls ${task.functionRef}, which has no local handler`);
    }
    const invoke = lambdaInvokeAdapter(`spotify-lake-local-${functionName}`, handler);
    const around = options.aroundTask?.[task.name];
    taskHandlers[task.name] = (parameters) => {
      const call = around ? around(() => invoke(parameters), parameters) : invoke(parameters);
      inflight.add(call);
      void call.catch(() => undefined).finally(() => inflight.delete(call));
      return call;
    };
  }
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

  const entered = new Map<string, number>();
  let failure: { error?: string; cause?: string } | undefined;
  let failedState: FailedState | undefined;
  const started = Date.now();
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === "ExecutionFailed") {
        failure = { error: event.Error, cause: String(event.Cause ?? "") };
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
        options.onStateEvent?.({ phase: "entered", ...base });
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
        failedState = { name: event.state.name, input: event.state.input };
      }
      const errorInfo =
        event.type === "StateFailed" ? { error: event.Error, cause: String(event.Cause) } : {};
      options.onStateEvent?.({ phase, ...base, durationMs, ...errorInfo });
    }
  })();

  let result: LocalRunResult;
  try {
    const output = await execution.result;
    await logs;
    result = { status: "SUCCEEDED", executionId, executionName, output, durationMs: 0 };
  } catch (error) {
    await logs.catch(() => undefined);
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
