// Section 6: what the pipeline would cost in AWS, from one metered local session per scale:
// the first hour on an empty lake (the tables do not exist, so it crawls), then a steady hour
// under each crawl policy. Counts × bench/aws-prices.json (bench/lib/cost-model.ts), per run
// and per month, with the modeled run time of a steady hour.

import type { CrawlPolicy } from "../../functions/commons/config";
import { catalogueStats } from "../../local/spotify-emulator/sample-data";
import { runPipelineWorker } from "../lib/pipeline-worker";
import {
  alwaysFreeSavingsUsd,
  billHour,
  loadAlwaysFree,
  fixedMonthlyUsd,
  loadPrices,
  MODEL,
  type HourBill,
  type Price,
  type PriceName,
} from "../lib/cost-model";
import { sampleMultipleCatalogue } from "../lib/dataset";
import type { CostRunArgs, CostRunResult, MeteredHour } from "../workers/cost-run";
import { projectScale, SCALE_MODEL, type ScaleCost } from "../lib/scale-cost";

export const COST_TARGETS = { maxMonthlyUsdOnSchemaChange: 5, maxModeledSteadyRunMs: 60_000 };

export interface PolicyCost {
  crawl: CrawlPolicy;
  steady: HourBill;
  perRunUsd: number;
  /** Runs, one schema-change crawl a month for on-schema-change, fixed costs and storage. */
  perMonthUsd: number;
  /** The same if the account's always-free allowances went to this stage alone. */
  perMonthUsdWithAlwaysFree: number;
  monthParts: Record<string, number>;
}

export interface CostScaleResult {
  sampleMultiple: number;
  playlists: number;
  entries: number;
  statuses: string[];
  errors: string[];
  first: HourBill;
  policies: PolicyCost[];
  /** Requests the meter could not attribute to an invocation (should be 0). */
  unattributed: number;
}

export interface CostResult {
  scales: CostScaleResult[];
  /** 1,000 and 10,000 playlists (and the sample) with a Distributed Map, both child types. */
  scale?: ScaleCost;
  model: typeof MODEL;
  prices: Record<PriceName, Price>;
}

const HOURS: CostRunArgs["hours"] = [
  {
    label: "first hour (no tables yet)",
    snapshot: "2026-11-21T16:00:00Z",
    crawl: "on-schema-change",
  },
  { label: "steady hour", snapshot: "2026-11-21T17:00:00Z", crawl: "on-schema-change" },
  { label: "steady hour", snapshot: "2026-11-21T18:00:00Z", crawl: "every-run" },
];

function monthOf(
  crawl: CrawlPolicy,
  steady: HourBill,
  first: HourBill,
  prices: Record<PriceName, Price>,
): { total: number; withAlwaysFree: number; parts: Record<string, number> } {
  const crawlingRuns = crawl === "on-schema-change" ? MODEL.schemaChangesPerMonth : 0;
  const storedGb = (steady.counts.storedBytes * MODEL.runsPerMonth) / 1024 ** 3;
  const parts: Record<string, number> = {
    [`${MODEL.runsPerMonth - crawlingRuns} runs`]:
      (MODEL.runsPerMonth - crawlingRuns) * steady.totalUsd,
    ...(crawlingRuns > 0
      ? { [`${crawlingRuns} run(s) crawling a changed schema`]: crawlingRuns * first.totalUsd }
      : {}),
    "S3 storage of a month's data": storedGb * prices.s3StorageGbMonth.usd,
    ...fixedMonthlyUsd(prices),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  const runs = [
    { bill: steady, count: MODEL.runsPerMonth - crawlingRuns },
    { bill: first, count: crawlingRuns },
  ];
  return {
    total,
    withAlwaysFree: total - alwaysFreeSavingsUsd(runs, prices, loadAlwaysFree()),
    parts,
  };
}

export async function benchCost(options: {
  workDir: string;
  multiples: readonly number[];
  log: (line: string) => void;
}): Promise<CostResult> {
  const prices = loadPrices();
  const scales: CostScaleResult[] = [];
  const meteredSteady: { playlists: number; hour: MeteredHour; bill: HourBill; first: HourBill }[] =
    [];
  for (const multiple of options.multiples) {
    const catalogue = sampleMultipleCatalogue(multiple);
    const stats = catalogueStats(catalogue);
    options.log(
      `cost: ${multiple}x the sample (${catalogue.playlists.length} playlists, ${stats.entries} entries), 3 hours`,
    );
    const run = await runPipelineWorker<CostRunResult>("cost-run", {
      catalogue,
      workDir: options.workDir,
      label: `cost-${multiple}x`,
      args: { hours: HOURS } satisfies Pick<CostRunArgs, "hours">,
      env: { POWERTOOLS_LOG_LEVEL: "INFO" },
    });
    const [first, ...steadyHours] = run.hours.map((hour) => billHour(hour, prices));
    const policies = steadyHours.map((steady) => {
      const month = monthOf(steady.crawl, steady, first!, prices);
      return {
        crawl: steady.crawl,
        steady,
        perRunUsd: steady.totalUsd,
        perMonthUsd: month.total,
        perMonthUsdWithAlwaysFree: month.withAlwaysFree,
        monthParts: month.parts,
      };
    });
    const steadyIndex = HOURS.findIndex((h, i) => i > 0 && h.crawl === "on-schema-change");
    meteredSteady.push({
      playlists: catalogue.playlists.length,
      hour: run.hours[steadyIndex]!,
      bill: steadyHours[steadyIndex - 1]!,
      first: first!,
    });
    scales.push({
      sampleMultiple: multiple,
      playlists: catalogue.playlists.length,
      entries: stats.entries,
      statuses: run.hours.map((h) => h.status),
      errors: run.hours.flatMap((h) => (h.error ? [h.error] : [])),
      first: first!,
      policies,
      unattributed: run.hours.reduce((n, h) => n + h.unattributed, 0),
    });
  }
  const scale =
    meteredSteady.length >= 2
      ? projectScale(meteredSteady, prices, monthAtSize(meteredSteady, prices), [
          meteredSteady[0]!.playlists,
          ...SCALE_MODEL.playlistCounts,
        ])
      : undefined;
  return { scales, ...(scale ? { scale } : {}), model: MODEL, prices };
}

/**
 * A month at a size from a run's cost there: the runs, one schema-change crawl (what the
 * smallest metered first hour paid over its steady hour), the month's data stored (per
 * playlist, from the largest metered hour) and the fixed costs.
 */
function monthAtSize(
  steady: readonly { playlists: number; bill: HourBill; first: HourBill }[],
  prices: Record<PriceName, Price>,
) {
  const small = steady[0]!;
  const large = steady[steady.length - 1]!;
  const crawlUsd = small.first.totalUsd - small.bill.totalUsd;
  const storedBytesPerPlaylist = large.bill.counts.storedBytes / large.playlists;
  const fixed = Object.values(fixedMonthlyUsd(prices)).reduce((a, b) => a + b, 0);
  return (perRunUsd: number, playlists: number) =>
    MODEL.runsPerMonth * perRunUsd +
    MODEL.schemaChangesPerMonth * crawlUsd +
    ((storedBytesPerPlaylist * playlists * MODEL.runsPerMonth) / 1024 ** 3) *
      prices.s3StorageGbMonth.usd +
    fixed;
}
