// TransformSnapshot: the snapshot's raw responses become the four Parquet tables, written
// under the snapshot's version (published by the crawl step).

import { logger, pipelineHandler } from "../commons/lambda";
import type { ConditionalObjectStore, LeaseHolderLiveness, ObjectStore } from "../commons/ports";
import { writeUnderSnapshotLease } from "../core/snapshot-lease";
import { readPlaylistItems, readPlaylistItemsRef } from "../core/playlist-items";
import { readRunRef } from "../core/run";
import type { TransformReport } from "../core/transform/transform-snapshot";
import { tableSchemaFingerprints } from "../core/transform/schema";
import { transformSnapshot } from "../core/transform/transform-snapshot";
import type { LakeTable } from "../commons/keys";

export function createTransformSnapshotHandler(deps: {
  rawStore: ConditionalObjectStore;
  lakeStore: ObjectStore;
  /** Locally only: tells a snapshot lease whose holder process died (snapshot-lease.ts). */
  leaseLiveness?: LeaseHolderLiveness;
  now?: () => Date;
}) {
  return pipelineHandler(
    async (event: {
      run: { playlistItems?: unknown };
    }): Promise<TransformReport & { schemas: Record<LakeTable, string> }> => {
      const { snapshot, executionId } = readRunRef(event);
      // The run's list, as PrepareRun stored it (it never travels in the state).
      const itemsRef = readPlaylistItemsRef(event.run.playlistItems, snapshot);
      const playlistIds = await readPlaylistItems(deps.rawStore, itemsRef);
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
        deps.leaseLiveness,
      );
      // The lease stays: the version is written but not published until the crawl step,
      // which releases it, so no other execution rewrites the hour in between.
      logger.info("snapshot transformed", {
        version: report.version,
        rows: report.rows,
        entries: report.entries,
      });
      // The schema of every table written, so the crawl step can skip a crawl that would
      // only rediscover it (not part of the stored report: the lake's bytes stay the same).
      return { ...report, schemas: tableSchemaFingerprints() };
    },
  );
}
