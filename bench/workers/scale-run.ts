// One local pipeline run for the scale section: the playlist list in a source object of the
// raw bucket (PLAYLISTS_OBJECT_KEY: 10,000 ids fit neither an execution input's margin nor a
// Lambda's environment), an extended-quota app, and what the run's quota meter saw.

import "../../local/polyfills";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import type { QuotaUsage } from "../../local/aws-quotas";
import { localPaths, runPipelineLocally } from "../../local/local-pipeline";
import { workerMain } from "../lib/child";
import {
  hourRunOptions,
  summarizeRun,
  type HourRunArgs,
  type PipelineRunSummary,
} from "../lib/pipeline-worker";

export type ScaleArgs = HourRunArgs;

export interface ScaleRunResult extends PipelineRunSummary {
  quotas: QuotaUsage;
  /** Time in each top-level state (the Map's children summed into ExtractPlaylists). */
  stateMs: Record<string, number>;
}

export const PLAYLISTS_SOURCE_KEY = "config/playlists.json";

async function run(args: ScaleArgs): Promise<ScaleRunResult> {
  await new FileObjectStore(localPaths(args.dataDir).raw).put(
    PLAYLISTS_SOURCE_KEY,
    JSON.stringify(args.playlistIds),
  );
  const started = performance.now();
  const stateMs: Record<string, number> = {};
  const result = await runPipelineLocally({
    onStateEvent: (event) => {
      if (event.iteration !== undefined || event.phase === "entered") return;
      stateMs[event.state] = (stateMs[event.state] ?? 0) + (event.durationMs ?? 0);
    },
    ...hourRunOptions(args, "extended"),
    defaultPlaylists: [],
    playlistsObjectKey: PLAYLISTS_SOURCE_KEY,
  });
  return { ...summarizeRun(result, performance.now() - started), quotas: result.quotas, stateMs };
}

if (require.main === module) workerMain(run);
