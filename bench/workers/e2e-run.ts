// One local pipeline run (the state machine file, the real handlers, the filesystem lake,
// DuckDB for Glue and Athena) against an emulator the parent process serves, so the peak RSS
// measured here is the pipeline's alone. The emulator's credentials arrive in the environment.

import "../../local/polyfills";
import { runPipelineLocally } from "../../local/local-pipeline";
import { workerMain } from "../lib/child";
import {
  benchSpotifyCredentials,
  summarizeRun,
  type PipelineRunSummary,
  type PipelineWorkerArgs,
} from "../lib/pipeline-worker";

export interface E2eArgs extends PipelineWorkerArgs {
  snapshot: string;
  startTime: string;
}

export type E2eRunResult = PipelineRunSummary;

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
  return summarizeRun(result, performance.now() - started);
}

if (require.main === module) workerMain(run);
