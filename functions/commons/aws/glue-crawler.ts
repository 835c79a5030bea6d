// Crawler over an AWS Glue crawler.

import {
  CrawlerRunningException,
  GetCrawlerCommand,
  GlueClient,
  StartCrawlerCommand,
} from "@aws-sdk/client-glue";
import type { Crawler, CrawlerStatus, CrawlStatus } from "../ports";

export class GlueCrawler implements Crawler {
  constructor(
    readonly name: string,
    private readonly glue: GlueClient = new GlueClient({}),
  ) {}

  async start(): Promise<{ alreadyRunning: boolean }> {
    try {
      await this.glue.send(new StartCrawlerCommand({ Name: this.name }));
      return { alreadyRunning: false };
    } catch (error) {
      // Another run (or a person in the console) started it: wait for that crawl instead.
      if (
        error instanceof CrawlerRunningException ||
        (error as { name?: string }).name === "CrawlerRunningException"
      ) {
        return { alreadyRunning: true };
      }
      throw error;
    }
  }

  async status(): Promise<CrawlerStatus> {
    const { Crawler: crawler } = await this.glue.send(new GetCrawlerCommand({ Name: this.name }));
    const state = crawler?.State ?? "READY";
    const last = crawler?.LastCrawl;
    return {
      state,
      ...(last?.Status && last.StartTime
        ? {
            lastCrawl: {
              status: last.Status as CrawlStatus,
              startTime: last.StartTime,
              ...(last.ErrorMessage ? { errorMessage: last.ErrorMessage } : {}),
            },
          }
        : {}),
    };
  }
}
