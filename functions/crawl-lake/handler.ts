// CrawlLake: StartCrawler and GetCrawlerStatus states, so the Data Catalog learns this
// snapshot's partitions. The state machine does the waiting between polls.

import { InvalidInputError } from "../commons/errors";
import { logger, pipelineHandler } from "../commons/lambda";
import type { Crawler } from "../commons/ports";
import type { CrawlProgress } from "../core/crawl/crawl-progress";
import { checkCrawl, startCrawl } from "../core/crawl/crawl-progress";
import { readRunRef } from "../core/run";

export type CrawlLakeEvent = (
  { action: "start"; run: unknown } | { action: "status"; run: unknown; crawl: CrawlProgress }
) & {
  /** `$$.Execution.RedriveCount`: tells a redriven poll from the original one. */
  redriveCount?: number;
};

export function createCrawlLakeHandler(deps: { crawler: Crawler; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return pipelineHandler(async (event: CrawlLakeEvent): Promise<CrawlProgress> => {
    readRunRef(event);
    const redriveCount = Number.isInteger(event.redriveCount) ? event.redriveCount! : 0;
    let progress: CrawlProgress;
    if (event.action === "start") {
      progress = await startCrawl(deps.crawler, now(), redriveCount);
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
