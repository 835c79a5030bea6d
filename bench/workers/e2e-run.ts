// One local pipeline run (the state machine file, the real handlers, the filesystem lake,
// DuckDB for Glue and Athena) against an emulator the parent process serves, so the peak RSS
// measured here is the pipeline's alone. The emulator's credentials arrive in the environment.

import "../../local/polyfills";
import { runPipelineLocally } from "../../local/local-pipeline";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { workerMain } from "../lib/child";
import { benchSpotifyCredentials, type PipelineWorkerArgs } from "../lib/pipeline-worker";

export interface E2eArgs extends PipelineWorkerArgs {
  snapshot: string;
  startTime: string;
}

export interface E2eRunResult {
  status: string;
  error?: string;
  cause?: string;
  ms: number;
  entriesRead: number;
  rows: Record<string, number>;
  checks: number;
  failedChecks: string[];
}

async function run(args: E2eArgs): Promise<E2eRunResult> {
  const started = performance.now();
  const result = await runPipelineLocally({
    dataDir: args.dataDir,
    input: { snapshot: args.snapshot },
    spotify: {
      apiBaseUrl: args.apiBaseUrl,
      accountsBaseUrl: args.accountsBaseUrl,
      credentials: benchSpotifyCredentials(),
    },
    defaultPlaylists: args.playlistIds,
    startTime: new Date(args.startTime),
  });
  const ms = performance.now() - started;
  const output = (result.output ?? {}) as Partial<PipelineOutput>;
  const checks = output.validation?.checks?.results ?? [];
  return {
    status: result.status,
    ...(result.error ? { error: result.error, cause: result.cause?.slice(0, 500) } : {}),
    ms,
    entriesRead: output.transform?.entries?.read ?? 0,
    rows: output.transform?.rows ?? {},
    checks: checks.length,
    failedChecks: checks.filter((c) => !c.passed).map((c) => c.check),
  };
}

if (require.main === module) workerMain(run);
