// Runs statemachine/pipeline.asl.json on this machine: the same ASL file, interpreted by
// aws-local-stepfunctions, calling the same Middy handlers the Lambdas run, with local
// adapters behind the ports (a folder for S3, DuckDB for Glue and Athena).

import "./polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SpotifyCredentials } from "../functions/commons/ports";
import { spotifySecretFromValue } from "../functions/commons/spotify-credentials";
import type { SpotifyEndpoints } from "../functions/commons/spotify-session";
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
  spotify: SpotifyEndpoints & { credentials: SpotifyCredentials };
  /** The prepare-run function's PLAYLIST_IDS. */
  defaultPlaylists: readonly string[];
  executionName?: string;
  startTime?: Date;
  onStateEvent?: (event: StateProgress) => void;
}

export interface StateProgress {
  phase: "entered" | "succeeded" | "failed" | "retried" | "caught";
  state: string;
  /** Map iteration index, for states inside the Map. */
  iteration?: number;
  durationMs?: number;
  error?: string;
  cause?: string;
}

export interface LocalRunResult {
  status: "SUCCEEDED" | "FAILED";
  executionId: string;
  output?: unknown;
  error?: string;
  cause?: string;
  durationMs: number;
}

export const localPaths = (dataDir: string) => ({
  raw: join(dataDir, "raw"),
  lake: join(dataDir, "lake"),
  ...localCatalogPaths(dataDir),
});

/** Every Task state in the definition, Map and Parallel branches included. */
export function taskStates(
  states: StateMachineDefinition["States"],
): { name: string; functionRef: string }[] {
  const found: { name: string; functionRef: string }[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Task") {
      const fn = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
      found.push({ name, functionRef: typeof fn === "string" ? fn : state.Resource });
    }
    if (state.Type === "Map") {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) found.push(...taskStates(processor.States));
    }
    if (state.Type === "Parallel") {
      for (const branch of state.Branches) found.push(...taskStates(branch.States));
    }
  }
  return found;
}

function statesOfType(states: StateMachineDefinition["States"], type: string): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === type || (type === "Retryable" && "Retry" in state)) names.push(name);
    if (state.Type === "Map") {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) names.push(...statesOfType(processor.States, type));
    }
  }
  return names;
}

export function localHandlers(
  options: Pick<LocalPipelineOptions, "dataDir" | "spotify" | "defaultPlaylists">,
) {
  const paths = localPaths(options.dataDir);
  const rawStore = new FileObjectStore(paths.raw);
  const lakeStore = new FileObjectStore(paths.lake);
  const { credentials, ...spotifyEndpoints } = options.spotify;
  const extractDeps = {
    rawStore,
    spotifySecret: spotifySecretFromValue(credentials),
    spotifyEndpoints,
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
  const handlers = localHandlers(options);

  // A Task without a local handler would call real AWS Lambda: refuse to start instead.
  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const task of taskStates(definition.States)) {
    const functionName = PLACEHOLDER.exec(task.functionRef)?.[1];
    const handler = functionName ? handlers[functionName] : undefined;
    if (!functionName || !handler) {
      throw new Error(`Task ${task.name} calls ${task.functionRef}, which has no local handler`);
    }
    taskHandlers[task.name] = lambdaInvokeAdapter(`spotify-lake-local-${functionName}`, handler);
  }
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

  const startTime = options.startTime ?? new Date();
  const executionName = options.executionName ?? `local-${startTime.getTime()}`;
  const executionId = `arn:aws:states:local:000000000000:execution:spotify-lake-pipeline:${executionName}`;
  const machine = new StateMachine(definition, {
    validationOptions: { checkArn: false, checkPaths: true },
  });
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: taskHandlers as never,
      waitTimeOverrides: zero(statesOfType(definition.States, "Wait")),
      retryIntervalOverrides: zero(statesOfType(definition.States, "Retryable")),
    },
    context: {
      Execution: {
        Id: executionId,
        Name: executionName,
        StartTime: startTime.toISOString(),
        Input: options.input as never,
      },
    },
  });

  const entered = new Map<string, number>();
  let failure: { error?: string; cause?: string } | undefined;
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
      };
      if (event.type === "StateEntered") {
        entered.set(key, event.timestamp);
        options.onStateEvent?.({ phase: "entered", ...base });
      } else {
        const durationMs = event.timestamp - (entered.get(key) ?? event.timestamp);
        const phase =
          event.type === "StateExited"
            ? "succeeded"
            : event.type === "StateFailed"
              ? "failed"
              : event.type === "StateRetried"
                ? "retried"
                : "caught";
        const errorInfo =
          event.type === "StateFailed" ? { error: event.Error, cause: String(event.Cause) } : {};
        options.onStateEvent?.({ phase, ...base, durationMs, ...errorInfo });
      }
    }
  })();

  try {
    const output = await execution.result;
    await logs;
    return { status: "SUCCEEDED", executionId, output, durationMs: Date.now() - started };
  } catch (error) {
    await logs.catch(() => undefined);
    return {
      status: "FAILED",
      executionId,
      error: failure?.error ?? (error as Error).name,
      cause: failure?.cause ?? (error as Error).message,
      durationMs: Date.now() - started,
    };
  }
}
