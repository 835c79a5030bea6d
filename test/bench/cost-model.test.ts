// Specification of the cost model: from the counts of a metered hour to dollars, with AWS's
// billing minimums (10 MB per Athena query, 10 minutes per crawl) and S3's price classes.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { billHour, loadPrices, MODEL, modeledMs } from "../../bench/lib/cost-model";
import { meteredHour, meteredInvocation } from "../support/metered-hour";

const prices = loadPrices();

const invocation = meteredInvocation;
const hour = meteredHour;

describe("billHour", () => {
  it("bills every Athena query at least 10 MB", () => {
    const bill = billHour(
      hour({ queries: [{ tables: ["songs_data"], bytes: 1000, files: 1 }] }),
      prices,
    );
    expect(bill.counts.athenaBytesBilled).toBe(MODEL.athenaMinimumBytes);
    expect(bill.usd.Athena).toBeCloseTo((10 / 1024 ** 2) * prices.athenaTbScanned.usd, 12);
  });

  it("bills a crawl at least ten minutes of a DPU", () => {
    const bill = billHour(
      hour({
        crawlerStarts: 1,
        invocations: [invocation(), invocation({ task: "StartCrawler", step: "crawl-lake" })],
      }),
      prices,
    );
    expect(bill.usd["Glue crawler"]).toBeCloseTo(
      MODEL.crawlerDpus *
        (Math.max(10 * 60_000, MODEL.crawlMs) / 3_600_000) *
        prices.glueCrawlerDpuHour.usd,
      9,
    );
    // The waits a crawl of MODEL.crawlMs needs are put back: a Wait, a Task and a Choice each
    // (this hour has no validation to poll).
    const polls = Math.ceil(MODEL.crawlMs / 30_000);
    expect(bill.counts.transitions).toBe(10 + 3 * polls);
    expect(bill.modeledParts.crawl).toBeGreaterThanOrEqual(polls * 30_000);
  });

  it("prices PUT, LIST and DeleteObjects (POST) at the PUT class and GET at the GET class", () => {
    const base = billHour(hour(), prices);
    const withRequests = billHour(
      hour({ invocations: [invocation({ s3: { put: 1000, list: 1000, post: 1000, get: 1000 } })] }),
      prices,
    );
    expect(withRequests.usd["S3 requests"]! - base.usd["S3 requests"]!).toBeCloseTo(
      3000 * prices.s3PutClassRequest.usd + 1000 * prices.s3GetClassRequest.usd,
      9,
    );
  });
});

describe("modeledMs", () => {
  it("stretches a function's local time by its share of a vCPU and adds its round trips", () => {
    const local = invocation({
      step: "extract-playlist",
      task: "ExtractPlaylist",
      localMs: 100,
      spotifyRequests: 2,
      s3: { put: 1, list: 0, post: 0, get: 1 },
    });
    expect(modeledMs(local)).toBe(
      Math.ceil(
        100 / (512 / MODEL.fullVcpuMb) + 2 * MODEL.s3RequestMs + 2 * MODEL.spotifyRequestMs,
      ),
    );
  });

  it("does not count DuckDB's local time as the time of the functions that call Glue or Athena", () => {
    const crawl = invocation({
      step: "crawl-lake",
      task: "StartCrawler",
      localMs: 5000,
      awsApiCalls: 3,
    });
    expect(modeledMs(crawl)).toBe(MODEL.handlerMs + 3 * MODEL.awsApiCallMs);
  });
});

describe("loadPrices", () => {
  it("refuses a price without its source", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prices-"));
    try {
      const file = path.join(dir, "prices.json");
      writeFileSync(
        file,
        JSON.stringify({
          prices: { stepFunctionsStateTransition: { usd: 1, source: "", recorded: "2026-12-01" } },
        }),
      );
      expect(() => loadPrices(file)).toThrow(
        /stepFunctionsStateTransition needs usd > 0, an https source/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives every price of the repository a source and a date", () => {
    for (const price of Object.values(prices)) {
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(price.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});
