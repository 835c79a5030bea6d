// TransformSnapshot: the snapshot's raw responses become the four Parquet tables.

import { logger, pipelineHandler } from "../commons/lambda";
import type { ObjectStore } from "../commons/ports";
import { readPlaylistIds, readRunRef } from "../core/run";
import type { TransformReport } from "../core/transform/transform-snapshot";
import { transformSnapshot } from "../core/transform/transform-snapshot";

export function createTransformSnapshotHandler(deps: {
  rawStore: ObjectStore;
  lakeStore: ObjectStore;
}) {
  return pipelineHandler(
    async (event: { run: { playlists?: unknown } }): Promise<TransformReport> => {
      const { snapshot } = readRunRef(event);
      const playlistIds = readPlaylistIds(event.run.playlists, "run.playlists");
      const report = await transformSnapshot({ ...deps, snapshot, playlistIds });
      logger.info("snapshot transformed", { rows: report.rows, entries: report.entries });
      return report;
    },
  );
}
