// TransformSnapshot: the snapshot's raw responses become the four Parquet tables.

import { logger, pipelineHandler } from "../commons/lambda";
import type { ConditionalObjectStore, ObjectStore } from "../commons/ports";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";
import { readPlaylistIds, readRunRef } from "../core/run";
import type { TransformReport } from "../core/transform/transform-snapshot";
import { transformSnapshot } from "../core/transform/transform-snapshot";

export function createTransformSnapshotHandler(deps: {
  rawStore: ConditionalObjectStore;
  lakeStore: ObjectStore;
  now?: () => Date;
}) {
  return pipelineHandler(
    async (event: { run: { playlists?: unknown } }): Promise<TransformReport> => {
      const { snapshot, executionId } = readRunRef(event);
      const playlistIds = readPlaylistIds(event.run.playlists, "run.playlists");
      const report = await writeUnderSnapshotLease(
        deps.rawStore,
        snapshot,
        executionId,
        (deps.now ?? (() => new Date()))(),
        () =>
          transformSnapshot({
            rawStore: deps.rawStore,
            lakeStore: deps.lakeStore,
            snapshot,
            playlistIds,
          }),
      );
      // The lake partition is complete: later steps only read, so another execution may write.
      await releaseSnapshotLease(deps.rawStore, snapshot, executionId);
      logger.info("snapshot transformed", { rows: report.rows, entries: report.entries });
      return report;
    },
  );
}
