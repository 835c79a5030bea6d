// PrepareRun: checks the execution input and fixes the snapshot hour before anything runs.

import { pipelineHandler } from "../commons/lambda";
import type { ExecutionInfo, Run, UnavailablePlaylistsPolicy } from "../core/prepare-run";
import { prepareRun } from "../core/prepare-run";

export interface PrepareRunEvent {
  input: unknown;
  execution: ExecutionInfo;
}

export function createPrepareRunHandler(config: {
  defaultPlaylists: readonly string[];
  unavailablePlaylists?: UnavailablePlaylistsPolicy;
}) {
  return pipelineHandler(async (event: PrepareRunEvent): Promise<Run> =>
    prepareRun(event.input, event.execution, config.defaultPlaylists, config.unavailablePlaylists),
  );
}
