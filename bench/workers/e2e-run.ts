// One local pipeline run (the state machine file, the real handlers, the filesystem lake,
// DuckDB for Glue and Athena) against an emulator the parent process serves, so the peak RSS
// measured here is the pipeline's alone. The emulator's credentials arrive in the environment.

import "../../local/polyfills";
import { runPipelineLocally } from "../../local/local-pipeline";
import { workerMain } from "../lib/child";
import {
  hourRunOptions,
  summarizeRun,
  type HourRunArgs,
  type PipelineRunSummary,
} from "../lib/pipeline-worker";

export type E2eArgs = HourRunArgs;

export type E2eRunResult = PipelineRunSummary;

async function run(args: E2eArgs): Promise<E2eRunResult> {
  const started = performance.now();
  const result = await runPipelineLocally({
    ...hourRunOptions(args),
    defaultPlaylists: args.playlistIds,
  });
  return summarizeRun(result, performance.now() - started);
}

if (require.main === module) workerMain(run);
