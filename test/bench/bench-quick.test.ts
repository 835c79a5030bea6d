// The benchmark suite at a tiny scale, so its code cannot rot unnoticed. It asserts that every
// section produces results and that they are consistent with each other and with the data,
// never how fast anything was: timings on a shared test machine prove nothing.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../../bench/lib/report";
import { runBench, type BenchResults } from "../../bench/lib/suite";
import { extractLowerBound } from "../../bench/sections/extract";
import { functionNames } from "../../bench/sections/packaging";
import { catalogueStats, generateSampleCatalogue } from "../../local/spotify-emulator/sample-data";
import { catalogueWithEntries, foldPlaylists } from "../../bench/lib/dataset";

describe("The benchmark suite in --quick mode", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "spotify-lake-bench-"));
  let results: BenchResults;

  beforeAll(async () => {
    results = await runBench({ quick: true, workDir });
  }, 300_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("describes the machine the figures come from", () => {
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.memoryGiB).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.cpuModel).not.toBe("");
  });

  it("transforms the same raw bytes into the same rows as DuckDB does", () => {
    const [scale] = results.transform!;
    expect(scale!.entries).toBe(400);
    expect(scale!.rawMB).toBeGreaterThan(0);
    expect(scale!.consistency.sameRows).toBe(true);
    for (const [table, counts] of Object.entries(scale!.consistency.tables)) {
      expect(counts.ours, table).toBe(counts.duckdb);
      expect(counts.sameChecksum, table).toBe(true);
    }
    expect(scale!.rows.songs_data).toBeGreaterThan(0);
    expect(scale!.rows.songs_data).toBeLessThanOrEqual(400);
  });

  it("reports every transform ratio from the times it measured", () => {
    const [scale] = results.transform!;
    expect(scale!.oursOverDuckDbTime).toBeCloseTo(scale!.ours.ms / scale!.duckdb.ms, 1);
    expect(scale!.oursOverFloorThroughput).toBeCloseTo(scale!.floor.parseMs / scale!.ours.ms, 1);
    for (const peak of [
      scale!.ours.peakRssMiB,
      scale!.duckdb.peakRssMiB,
      scale!.floor.peakRssMiB,
    ]) {
      expect(peak).toBeGreaterThan(10);
    }
  });

  it("counts the extraction's requests against the minimum for both kinds of app", () => {
    const { modes } = results.extract!;
    expect(modes.map((m) => m.mode)).toEqual(["development", "extended"]);
    for (const mode of modes) {
      const kinds = mode.requests.byKind;
      expect(kinds.token + kinds.playlist + kinds.items + kinds.artists + kinds.other).toBe(
        mode.requests.made,
      );
      expect(mode.requests.made).toBeGreaterThanOrEqual(mode.requests.minimum);
      expect(kinds.playlist).toBe(mode.playlists);
      expect(kinds.items).toBe(mode.requests.minimumByKind.items);
      expect(mode.wallMs).toBeGreaterThanOrEqual(mode.lowerBoundMs);
    }
  });

  it("bundles every function and handles one event in a fresh process", () => {
    const packaged = results.packaging!;
    expect(packaged.map((f) => f.name)).toEqual(functionNames());
    for (const f of packaged) {
      expect(f.outcome, f.name).toBe(f.expectedOutcome);
      expect(f.zipBytes, f.name).toBeLessThan(f.bundleBytes);
      expect(f.zipBytes, f.name).toBeGreaterThan(0);
    }
    const extract = packaged.find((f) => f.name === "extract-playlist")!;
    expect(extract.awsCallsPerStart).toBe(1);
  });

  it("runs the whole local pipeline at each multiple and passes its checks", () => {
    const { scales } = results.e2e!;
    expect(scales.map((s) => s.sampleMultiple)).toEqual([1, 2]);
    for (const s of scales) {
      expect(s.status, s.error).toBe("SUCCEEDED");
      expect(s.failedChecks).toEqual([]);
    }
    expect(scales[1]!.entries).toBeGreaterThan(scales[0]!.entries);
    expect(Number.isFinite(results.e2e!.growthExponent)).toBe(true);
  });

  it("meters three local hours and prices both crawl policies from them", () => {
    const [scale] = results.cost!.scales;
    expect(scale!.statuses).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    expect(scale!.unattributed).toBe(0);
    // The first hour has no tables yet, so it crawls whatever the policy.
    expect(scale!.first.counts.crawlerRuns).toBe(1);
    const [onSchemaChange, everyRun] = scale!.policies;
    expect(onSchemaChange!.crawl).toBe("on-schema-change");
    expect(onSchemaChange!.steady.counts.crawlerRuns).toBe(0);
    expect(onSchemaChange!.steady.counts.glueCatalogRequests).toBeGreaterThan(0);
    expect(everyRun!.crawl).toBe("every-run");
    expect(everyRun!.steady.counts.crawlerRuns).toBe(1);
    // A crawl costs at least its 10-minute minimum: the gap between the policies.
    const { model, prices } = results.cost!;
    const minimumCrawl = (model.crawlerMinimumMinutes / 60) * prices.glueCrawlerDpuHour.usd;
    expect(everyRun!.perRunUsd - onSchemaChange!.perRunUsd).toBeGreaterThan(minimumCrawl * 0.9);
    for (const policy of scale!.policies) {
      const { counts } = policy.steady;
      expect(counts.athenaBytesBilled).toBeGreaterThanOrEqual(
        counts.athenaQueries * model.athenaMinimumBytes,
      );
      expect(counts.transitions).toBeGreaterThan(counts.invocations);
      expect(counts.s3.put).toBeGreaterThan(0);
      expect(counts.logBytes).toBeGreaterThan(0);
      const parts = Object.values(policy.monthParts).reduce((a, b) => a + b, 0);
      expect(policy.perMonthUsd).toBeCloseTo(parts, 6);
      expect(policy.perMonthUsdWithAlwaysFree).toBeLessThan(policy.perMonthUsd);
    }
  });

  it("counts consecutive hours of full and incremental extraction against the lower bound", () => {
    const r = results.incremental!;
    expect(r.hours).toHaveLength(3);
    const [first, ...later] = r.hours;
    // The first hour has nothing stored: the incremental extraction is a full fetch.
    expect(first!.incremental).toBe(first!.full);
    for (const h of r.hours) {
      expect(h.incremental).toBeGreaterThanOrEqual(h.lowerBound);
      expect(h.incrementalByKind.playlist).toBe(r.playlists);
      expect(Object.values(h.incrementalByKind).reduce((a, b) => a + b, 0)).toBe(h.incremental);
    }
    for (const h of later) expect(h.incremental).toBeLessThan(h.full);
    expect(r.totals.incremental).toBe(r.hours.reduce((a, h) => a + h.incremental, 0));
    expect(r.fullOverIncremental).toBeCloseTo(r.totals.full / r.totals.incremental, 1);
  });

  it("renders every section as a table", () => {
    const report = renderReport(results);
    for (const heading of [
      "1. Transform",
      "2. Transform memory",
      "3. Extract",
      "4. Packaging",
      "5. End to end",
      "6. Cost in AWS",
      "7. Incremental extraction",
    ]) {
      expect(report).toContain(heading);
    }
  });
});

describe("Benchmark datasets", () => {
  it("fold a catalogue into at most the playlists one run may name, keeping every entry", () => {
    const catalogue = generateSampleCatalogue({ scale: 3 });
    const folded = foldPlaylists(catalogue.playlists, 30);
    expect(folded.length).toBeLessThanOrEqual(30);
    expect(folded.flatMap((p) => p.entries)).toEqual(catalogue.playlists.flatMap((p) => p.entries));
  });

  it("hold exactly the number of entries asked for", () => {
    const catalogue = catalogueWithEntries(1234);
    expect(catalogueStats(catalogue).entries).toBe(1234);
  });

  it("bound extraction by its longest playlist when the playlists are few", () => {
    const catalogue = generateSampleCatalogue({ scale: 1 });
    const bound = extractLowerBound(catalogue, "extended", 1000, 10);
    // The playlist object embeds the first page: a playlist of n entries is max(1, ⌈n/50⌉) requests.
    const longest = Math.max(
      ...catalogue.playlists.map((p) => Math.max(1, Math.ceil(p.entries.length / 50))),
    );
    const artistBatches = Math.ceil(catalogueStats(catalogue).distinctArtists / 50);
    expect(bound.lowerBoundMs).toBe((1 + longest + artistBatches) * 10);
  });
});
