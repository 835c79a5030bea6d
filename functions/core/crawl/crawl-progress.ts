// Starting the crawler and judging, poll by poll, whether *this run's* crawl is done. The
// waiting itself happens in the state machine (Wait + Choice), never in a sleeping Lambda.

import { CrawlerFailedError } from "../../commons/errors";
import type { Crawler } from "../../commons/ports";

/** Carried between StartCrawler and GetCrawlerStatus through the state machine. */
export interface CrawlProgress {
  crawlerName: string;
  /** When this run (last) asked for a crawl; a crawl that began earlier is not ours. */
  requestedAt: string;
  /** A crawl was already running when we asked: it may have missed our files. */
  joinedRunningCrawl: boolean;
  state: string;
  done: boolean;
  polls: number;
  /** `$$.Execution.RedriveCount` when this crawl was requested. */
  redriveCount: number;
  /** How the catalog learns this run's partitions: a crawl, or direct registration. */
  path?: "crawler" | "registered";
  /** Why that path (crawl-decision.ts). */
  reason?: string;
  /** The version published (publish.ts), once it is. */
  version?: string;
  /** Partitions pointed at the version: new ones, and registered ones moved to it. */
  partitions?: { added: number; existing: number };
}

/** The progress of a run whose partitions were registered without a crawl: already done. */
export function registeredProgress(
  crawlerName: string,
  now: Date,
  redriveCount: number,
  reason: string,
  partitions: { added: number; existing: number },
): CrawlProgress {
  return {
    crawlerName,
    requestedAt: now.toISOString(),
    joinedRunningCrawl: false,
    state: "NOT CRAWLED (partitions registered)",
    done: true,
    polls: 0,
    redriveCount,
    path: "registered",
    reason,
    partitions,
  };
}

// Glue stamps StartTime on its own clock; allow for a little skew against the Lambda's.
const CLOCK_SKEW_MS = 5_000;

/** What must be in place before each crawl starts (the copy of the version in `_crawl/`). */
export type BeforeCrawl = () => Promise<void>;

export async function startCrawl(
  crawler: Crawler,
  now: Date,
  redriveCount = 0,
  beforeCrawl?: BeforeCrawl,
): Promise<CrawlProgress> {
  await beforeCrawl?.();
  const { alreadyRunning } = await crawler.start();
  return {
    crawlerName: crawler.name,
    requestedAt: now.toISOString(),
    joinedRunningCrawl: alreadyRunning,
    state: alreadyRunning ? "RUNNING (started by someone else)" : "STARTING",
    done: false,
    polls: 0,
    redriveCount,
  };
}

export async function checkCrawl(
  crawler: Crawler,
  progress: CrawlProgress,
  now: Date,
  redriveCount = 0,
  beforeCrawl?: BeforeCrawl,
): Promise<CrawlProgress> {
  const polls = progress.polls + 1;
  const keep = {
    ...(progress.path ? { path: progress.path } : {}),
    ...(progress.reason ? { reason: progress.reason } : {}),
  };
  if (redriveCount > (progress.redriveCount ?? 0)) {
    // A redrive resumes this poll with its old input, after someone fixed what made the
    // crawl fail: the failed crawl says nothing about the repaired lake, so crawl again.
    return { ...(await startCrawl(crawler, now, redriveCount, beforeCrawl)), ...keep, polls };
  }
  const status = await crawler.status();
  if (status.state !== "READY") return { ...progress, state: status.state, done: false, polls };

  const last = status.lastCrawl;
  const ours =
    !progress.joinedRunningCrawl &&
    last !== undefined &&
    last.startTime.getTime() >= Date.parse(progress.requestedAt) - CLOCK_SKEW_MS;
  if (!ours) {
    // The crawl that just ended was someone else's (or an older one): it may not have seen
    // this snapshot's files, so ask for a crawl of our own.
    const restarted = await startCrawl(crawler, now, progress.redriveCount, beforeCrawl);
    return { ...restarted, ...keep, polls };
  }
  if (last.status !== "SUCCEEDED") {
    throw new CrawlerFailedError(
      `Crawler ${crawler.name} ended ${last.status}` +
        (last.errorMessage ? `: ${last.errorMessage}` : ""),
    );
  }
  return { ...progress, state: "READY", done: true, polls };
}
