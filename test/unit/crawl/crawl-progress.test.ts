// Crawler progress: start once, poll from the state machine, and never mistake an older crawl
// (or someone else's) for this run's.

import { describe, expect, it } from "vitest";
import type { Crawler, CrawlerStatus } from "../../../functions/commons/ports";
import { checkCrawl, startCrawl } from "../../../functions/core/crawl/crawl-progress";

class ScriptedCrawler implements Crawler {
  readonly name = "spotify-lake-dev";
  starts = 0;
  constructor(
    private readonly statuses: CrawlerStatus[],
    private readonly running = false,
  ) {}
  async start() {
    this.starts += 1;
    return { alreadyRunning: this.running && this.starts === 1 };
  }
  async status() {
    const next = this.statuses.shift();
    if (!next) throw new Error("no more scripted statuses");
    return next;
  }
}

const T0 = new Date("2026-11-22T05:20:00Z");
const later = (s: number) => new Date(T0.getTime() + s * 1000);

describe("Crawler progress", () => {
  it("is done once the crawler is READY after a successful crawl that began after our request", async () => {
    const crawler = new ScriptedCrawler([
      { state: "RUNNING" },
      { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: later(1) } },
    ]);
    let progress = await startCrawl(crawler, T0);
    progress = await checkCrawl(crawler, progress, later(30));
    expect(progress).toMatchObject({ done: false, polls: 1, state: "RUNNING" });
    progress = await checkCrawl(crawler, progress, later(60));
    expect(progress).toMatchObject({ done: true, polls: 2 });
  });

  it("fails with CrawlerFailedError carrying the crawler's message", async () => {
    const crawler = new ScriptedCrawler([
      {
        state: "READY",
        lastCrawl: { status: "FAILED", startTime: later(1), errorMessage: "Access Denied on s3" },
      },
    ]);
    const progress = await startCrawl(crawler, T0);
    await expect(checkCrawl(crawler, progress, later(30))).rejects.toMatchObject({
      name: "CrawlerFailedError",
      message: expect.stringContaining("Access Denied on s3"),
    });
  });

  it("treats a cancelled crawl as a failure", async () => {
    const crawler = new ScriptedCrawler([
      { state: "READY", lastCrawl: { status: "CANCELLED", startTime: later(2) } },
    ]);
    await expect(
      checkCrawl(crawler, await startCrawl(crawler, T0), later(30)),
    ).rejects.toMatchObject({ name: "CrawlerFailedError" });
  });

  it("does not take an older crawl's success for this run's, and asks for a new crawl", async () => {
    const crawler = new ScriptedCrawler([
      { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: later(-3600) } },
    ]);
    const progress = await checkCrawl(crawler, await startCrawl(crawler, T0), later(30));
    expect(progress.done).toBe(false);
    expect(crawler.starts).toBe(2);
    expect(progress.requestedAt).toBe(later(30).toISOString());
  });

  it("waits for a crawl someone else started, then starts its own", async () => {
    const crawler = new ScriptedCrawler(
      [
        { state: "RUNNING" },
        { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: later(-10) } },
        { state: "RUNNING" },
        { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: later(61) } },
      ],
      true,
    );
    let progress = await startCrawl(crawler, T0);
    expect(progress.joinedRunningCrawl).toBe(true);
    for (const at of [30, 60, 90, 120]) progress = await checkCrawl(crawler, progress, later(at));
    expect(crawler.starts).toBe(2);
    expect(progress).toMatchObject({ done: true, polls: 4, joinedRunningCrawl: false });
  });

  it("crawls again when a redrive resumes the poll that saw this run's crawl fail", async () => {
    const crawler = new ScriptedCrawler([
      {
        state: "READY",
        lastCrawl: { status: "FAILED", startTime: later(1), errorMessage: "bad file" },
      },
      { state: "READY", lastCrawl: { status: "SUCCEEDED", startTime: later(3601) } },
    ]);
    const progress = await startCrawl(crawler, T0);
    await expect(checkCrawl(crawler, progress, later(30))).rejects.toThrow(/bad file/);

    // Redrive: the same input, an hour later, with $$.Execution.RedriveCount = 1.
    const redriven = await checkCrawl(crawler, progress, later(3600), 1);
    expect(crawler.starts).toBe(2);
    expect(redriven).toMatchObject({ done: false, redriveCount: 1 });
    expect(await checkCrawl(crawler, redriven, later(3630), 1)).toMatchObject({ done: true });
  });
});
