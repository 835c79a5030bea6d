// TransformSnapshot: the snapshot's raw responses become the four Parquet tables.

import { logger, pipelineHandler } from "../commons/lambda";
import type { ConditionalObjectStore, ObjectStore } from "../commons/ports";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";
import { readPlaylistIds, readRunRef } from "../core/run";
import type { TransformReport } from "../core/transform/transform-snapshot";
import { tableSchemaFingerprints } from "../core/transform/schema";
import { transformSnapshot } from "../core/transform/transform-snapshot";
import type { LakeTable } from "../commons/keys";

export function createTransformSnapshotHandler(deps: {
  rawStore: ConditionalObjectStore;
  lakeStore: ObjectStore;
  now?: () => Date;
}) {
  return pipelineHandler(
    async (event: {
      run: { playlists?: unknown };
    }): Promise<TransformReport & { schemas: Record<LakeTable, string> }> => {
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
      // The schema of every table written, so the crawl step can skip a crawl that would
      // only rediscover it (not part of the stored report: the lake's bytes stay the same).
      return { ...report, schemas: tableSchemaFingerprints() };
    },
  );
}
