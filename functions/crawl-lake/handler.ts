// CrawlLake: StartCrawler and GetCrawlerStatus states, which publish the transform's version
// of the snapshot (functions/core/crawl/publish.ts). "start" checks the version is complete,
// then either publishes it at once (every table's schema matches the catalog) or, when the
// catalog needs a crawl (a new table or a changed schema, or policy every-run), copies the
// version into `_crawl/` and starts the crawler; "status" polls that crawl and publishes when
// it is done. The step holds the snapshot's lease from the transform on and releases it once
// the version is published, so no other execution rewrites the hour meanwhile. The state
// machine does the waiting between polls.

import type { CrawlPolicy } from "../commons/config";
import { InvalidInputError } from "../commons/errors";
import { isLakeVersion } from "../commons/keys";
import { logger, pipelineHandler } from "../commons/lambda";
import type {
  Catalog,
  ConditionalObjectStore,
  Crawler,
  LeaseHolderLiveness,
  ObjectStore,
} from "../commons/ports";
import { decideCrawl, readSchemaFingerprints } from "../core/crawl/crawl-decision";
import type { CrawlProgress } from "../core/crawl/crawl-progress";
import { checkCrawl, registeredProgress, startCrawl } from "../core/crawl/crawl-progress";
import { clearCrawlCopies, copyVersionForCrawl, publishVersion } from "../core/crawl/publish";
import { readRunRef } from "../core/run";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";

export type CrawlLakeEvent = (
  | { action: "start"; run: unknown; schemas: unknown }
  | { action: "status"; run: unknown; crawl: CrawlProgress }
) & {
  /** The TransformSnapshot state's `version`: what this step publishes. */
  version: unknown;
  /** `$$.Execution.RedriveCount`: tells a redriven poll from the original one. */
  redriveCount?: number;
};

export function createCrawlLakeHandler(deps: {
  crawler: Crawler;
  catalog: Catalog;
  /** The lake bucket: the version's files, `_crawl/`, `_published/`. */
  lakeStore: ObjectStore;
  /** The raw bucket, where the snapshot's lease lives. */
  leaseStore: ConditionalObjectStore;
  policy: CrawlPolicy;
  /** Locally only: tells a lease whose holder process died (see snapshot-lease.ts). */
  leaseLiveness?: LeaseHolderLiveness;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return pipelineHandler(async (event: CrawlLakeEvent): Promise<CrawlProgress> => {
    const { snapshot, executionId } = readRunRef(event);
    if (!isLakeVersion(event.version)) {
      throw new InvalidInputError("version", "must be the TransformSnapshot state's version");
    }
    const version = event.version;
    const redriveCount = Number.isInteger(event.redriveCount) ? event.redriveCount! : 0;
    const copyForCrawl = () => copyVersionForCrawl(deps.lakeStore, snapshot, version);
    const publish = async (progress: CrawlProgress): Promise<CrawlProgress> => {
      const partitions = await publishVersion(deps.lakeStore, deps.catalog, snapshot, version);
      await clearCrawlCopies(deps.lakeStore);
      return { ...progress, version, partitions };
    };

    const progress = await writeUnderSnapshotLease(
      deps.leaseStore,
      snapshot,
      executionId,
      now(),
      async (): Promise<CrawlProgress> => {
        if (event.action === "start") {
          const schemas = readSchemaFingerprints(event.schemas);
          const decision = await decideCrawl(deps.catalog, deps.policy, schemas);
          if (!decision.crawl) {
            const registered = registeredProgress(
              deps.crawler.name,
              now(),
              redriveCount,
              decision.reason,
              {
                added: 0,
                existing: 0,
              },
            );
            return publish(registered);
          }
          const started = await startCrawl(deps.crawler, now(), redriveCount, copyForCrawl);
          return { ...started, path: "crawler", reason: decision.reason };
        }
        if (event.action === "status") {
          if (typeof event.crawl?.requestedAt !== "string") {
            throw new InvalidInputError("crawl", "must be the StartCrawler state's output");
          }
          const checked = await checkCrawl(
            deps.crawler,
            event.crawl,
            now(),
            redriveCount,
            copyForCrawl,
          );
          return checked.done ? publish(checked) : checked;
        }
        throw new InvalidInputError("action", "must be start or status");
      },
      deps.leaseLiveness,
    );
    // Published: later steps only read, so another execution may write the hour.
    if (progress.done) await releaseSnapshotLease(deps.leaseStore, snapshot, executionId);
    logger.info("crawler progress", { ...progress });
    return progress;
  });
}
