// PrepareRun: checks the execution input and fixes the snapshot hour before anything runs,
// then stores the run's playlist list as the Distributed Map's items object.

import { pipelineHandler } from "../commons/lambda";
import type { ObjectStore } from "../commons/ports";
import type {
  ExecutionInfo,
  ExtractSettings,
  Run,
  UnavailablePlaylistsPolicy,
} from "../core/prepare-run";
import { prepareRun, startRun } from "../core/prepare-run";
import { readPlaylistSource } from "../core/playlist-items";

export interface PrepareRunEvent {
  input: unknown;
  execution: ExecutionInfo;
}

export function createPrepareRunHandler(config: {
  rawStore: ObjectStore;
  /** PLAYLIST_IDS: the default list, when the input names none and there is no source object. */
  defaultPlaylists: readonly string[];
  /** PLAYLISTS_OBJECT_KEY: a JSON list in the raw bucket, the default list for large lists. */
  playlistsObjectKey?: string;
  unavailablePlaylists?: UnavailablePlaylistsPolicy;
  extractSettings?: ExtractSettings;
}) {
  return pipelineHandler(async (event: PrepareRunEvent): Promise<Run> => {
    const wantsDefault = (event.input as { playlists?: unknown } | null)?.playlists === undefined;
    // Read per run, not at load: the list may change between runs of a warm container.
    const fromObject = config.playlistsObjectKey !== undefined && wantsDefault;
    const defaults = fromObject
      ? ((await readPlaylistSource(config.rawStore, config.playlistsObjectKey!)) as string[])
      : config.defaultPlaylists;
    // Checked as any list is: ids, no repeats, at most MAX_PLAYLISTS_PER_RUN.
    const prepared = prepareRun(
      event.input,
      event.execution,
      defaults,
      config.unavailablePlaylists,
      fromObject ? `PLAYLISTS_OBJECT_KEY ${config.playlistsObjectKey}` : "PLAYLIST_IDS",
    );
    return startRun(config.rawStore, prepared, config.extractSettings);
  });
}
