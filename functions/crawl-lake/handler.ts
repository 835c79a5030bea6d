// CrawlLake: StartCrawler and GetCrawlerStatus states, so the Data Catalog learns this
// snapshot's partitions. "start" crawls only when the catalog needs it (a new table or a
// changed schema, or policy every-run) and otherwise registers the partitions directly, and
// then reports done at once; the state machine does the waiting between polls of a crawl.

import type { CrawlPolicy } from "../commons/config";
import { InvalidInputError } from "../commons/errors";
import { logger, pipelineHandler } from "../commons/lambda";
import type { Catalog, Crawler } from "../commons/ports";
import {
  decideCrawl,
  readSchemaFingerprints,
  registerSnapshotPartitions,
} from "../core/crawl/crawl-decision";
import type { CrawlProgress } from "../core/crawl/crawl-progress";
import { checkCrawl, registeredProgress, startCrawl } from "../core/crawl/crawl-progress";
import { readRunRef } from "../core/run";

export type CrawlLakeEvent = (
  | { action: "start"; run: unknown; schemas: unknown }
  | { action: "status"; run: unknown; crawl: CrawlProgress }
) & {
  /** `$$.Execution.RedriveCount`: tells a redriven poll from the original one. */
  redriveCount?: number;
};

export function createCrawlLakeHandler(deps: {
  crawler: Crawler;
  catalog: Catalog;
  policy: CrawlPolicy;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return pipelineHandler(async (event: CrawlLakeEvent): Promise<CrawlProgress> => {
    const { snapshot } = readRunRef(event);
    const redriveCount = Number.isInteger(event.redriveCount) ? event.redriveCount! : 0;
    let progress: CrawlProgress;
    if (event.action === "start") {
      const schemas = readSchemaFingerprints(event.schemas);
      const decision = await decideCrawl(deps.catalog, deps.policy, schemas);
      if (decision.crawl) {
        progress = {
          ...(await startCrawl(deps.crawler, now(), redriveCount)),
          path: "crawler",
          reason: decision.reason,
        };
      } else {
        const partitions = await registerSnapshotPartitions(
          deps.catalog,
          decision.tables,
          snapshot,
        );
        progress = registeredProgress(
          deps.crawler.name,
          now(),
          redriveCount,
          decision.reason,
          partitions,
        );
      }
    } else if (event.action === "status") {
      if (typeof event.crawl?.requestedAt !== "string") {
        throw new InvalidInputError("crawl", "must be the StartCrawler state's output");
      }
      progress = await checkCrawl(deps.crawler, event.crawl, now(), redriveCount);
    } else {
      throw new InvalidInputError("action", "must be start or status");
    }
    logger.info("crawler progress", { ...progress });
    return progress;
  });
}
