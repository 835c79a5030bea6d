// Section 6 of the report: what a run and a month would cost in AWS, both crawl policies side
// by side, what was counted, and the modeled run time of a steady hour.

import type { COST_TARGETS, CostResult } from "../sections/cost";
import type { HourBill } from "./cost-model";
import type { ScaleBill, ScaleCost } from "./scale-cost";
import { mark, n, table } from "./markdown";

const usd = (value: number, digits = 2) => `$${value.toFixed(digits)}`;
const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(2)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderCost(cost: CostResult, targets: typeof COST_TARGETS): string[] {
  const out: string[] = ["", "### 6. Cost in AWS (modeled from metered local runs)", ""];
  const rows: (string | number)[][] = [];
  for (const scale of cost.scales) {
    for (const p of scale.policies) {
      // The targets are the default stage's: the sample (1×), crawling on schema change.
      const judged = p.crawl === "on-schema-change" && scale.sampleMultiple === 1;
      const judge = (ok: boolean) => (judged ? ` ${mark(ok)}` : "");
      rows.push([
        `${scale.sampleMultiple}× (${n(scale.playlists)} playlists, ${n(scale.entries)} entries)`,
        p.crawl,
        usd(p.perRunUsd, 4),
        usd(p.perMonthUsd) + judge(p.perMonthUsd <= targets.maxMonthlyUsdOnSchemaChange),
        usd(p.perMonthUsdWithAlwaysFree) +
          judge(p.perMonthUsdWithAlwaysFree <= targets.maxMonthlyUsdOnSchemaChange),
        s(p.steady.modeledRunMs) + judge(p.steady.modeledRunMs <= targets.maxModeledSteadyRunMs),
        scale.statuses.join(", "),
      ]);
    }
  }
  out.push(
    table(
      [
        "scale",
        "crawl",
        "per steady run",
        `per month, list prices (1× on-schema-change ≤ ${usd(targets.maxMonthlyUsdOnSchemaChange)})`,
        "per month, always-free allowances applied",
        `modeled steady run time (1× on-schema-change ≤ ${s(targets.maxModeledSteadyRunMs)})`,
        "local runs",
      ],
      rows,
    ),
  );

  for (const scale of cost.scales) {
    const [osc, every] = scale.policies;
    if (!osc || !every) continue;
    const services = Object.keys(osc.steady.usd);
    out.push(
      "",
      `${scale.sampleMultiple}×, one steady hour, by service (first hour, which crawls: ${usd(scale.first.totalUsd, 4)}):`,
      "",
      table(
        ["service", "on-schema-change", "every-run"],
        services.map((k) => [k, usd(osc.steady.usd[k] ?? 0, 5), usd(every.steady.usd[k] ?? 0, 5)]),
      ),
      "",
      table(
        ["counted in the steady hour", "on-schema-change", "every-run"],
        (
          [
            ["state transitions", (b) => n(b.counts.transitions)],
            ["Lambda invocations", (b) => n(b.counts.invocations)],
            ["Lambda GB-seconds (INIT included)", (b) => b.counts.lambdaGbSeconds.toFixed(1)],
            [
              "S3 PUT / LIST / POST / GET",
              (b) =>
                [b.counts.s3.put, b.counts.s3.list, b.counts.s3.post, b.counts.s3.get]
                  .map(n)
                  .join(" / "),
            ],
            ["Athena queries", (b) => n(b.counts.athenaQueries)],
            [
              "Athena bytes scanned (upper bound) → billed",
              (b) => `${mb(b.counts.athenaBytesScanned)} → ${mb(b.counts.athenaBytesBilled)}`,
            ],
            ["crawler runs", (b) => n(b.counts.crawlerRuns)],
            ["Glue catalog requests", (b) => n(b.counts.glueCatalogRequests)],
            ["Secrets Manager calls", (b) => n(b.counts.secretsManagerCalls)],
            ["CloudWatch log bytes", (b) => n(b.counts.logBytes)],
            ["bytes stored (raw + lake)", (b) => n(b.counts.storedBytes)],
          ] as [string, (b: HourBill) => string][]
        ).map(([label, f]) => [label, f(osc.steady), f(every.steady)]),
      ),
      "",
      `Month, on-schema-change: ${Object.entries(osc.monthParts)
        .map(([k, v]) => `${k} ${usd(v)}`)
        .join(", ")}.`,
      "",
      `Modeled run time, steady on-schema-change hour: ${Object.entries(osc.steady.modeledParts)
        .map(([k, v]) => `${k} ${s(v)}`)
        .join(", ")}.`,
    );
  }
  if (cost.scale) out.push(...renderScale(cost.scale));
  out.push(
    "",
    `Prices: bench/aws-prices.json (us-east-1, recorded ${cost.prices.stepFunctionsStateTransition.recorded}, no free tier unless said). ` +
      "Model assumptions (bench/lib/cost-model.ts `MODEL`): " +
      Object.entries(cost.model)
        .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join("+") : String(v)}`)
        .join(", ") +
      ".",
  );
  return out;
}

/** The Distributed Map at 1,000 and 10,000 playlists (and the sample), both child types. */
function renderScale(scale: ScaleCost): string[] {
  const rows = scale.bills.map((b) => [
    n(b.playlists),
    b.childExecutionType,
    `${n(b.batches)} × ${s(b.childDurationMs)}`,
    Object.entries(b.extractionUsd)
      .map(([k, v]) => `${k} ${usd(v, 5)}`)
      .join("; "),
    usd(b.perRunUsd, 4),
    usd(b.perMonthUsd),
  ]);
  const cheaper = [...new Set(scale.bills.map((b) => b.playlists))].map((playlists) => {
    const [express, standard] = ["EXPRESS", "STANDARD"].map((type) =>
      scale.bills.find((b) => b.playlists === playlists && b.childExecutionType === type)!,
    ) as [ScaleBill, ScaleBill];
    const [low, high] =
      express.perMonthUsd <= standard.perMonthUsd ? [express, standard] : [standard, express];
    return `${n(playlists)} playlists: ${low.childExecutionType} by ${usd(high.perMonthUsd - low.perMonthUsd)} a month`;
  });
  return [
    "",
    "#### ExtractPlaylists as a Distributed Map: 1,000 and 10,000 playlists, Express or Standard children",
    "",
    `Projected from the metered steady on-schema-change hours (${scale.fittedOn
      .map((f) => `${n(f.playlists)} playlists ${usd(f.perRunUsd, 4)}`)
      .join(
        ", ",
      )}): the run as fixed + per playlist, its extraction re-priced as a Map Run of batches (bench/lib/scale-cost.ts \`SCALE_MODEL\`). A playlist's extraction takes ${s(scale.perPlaylistExtractMs)} in AWS beyond its invocation's fixed part; a child runs ${n(scale.childTransitions)} state(s) on its normal path.`,
    "",
    table(
      [
        "playlists",
        "children",
        "batches × child duration",
        "the Map Run's part of a run",
        "per run",
        "per month",
      ],
      rows,
    ),
    "",
    `Cheaper: ${cheaper.join("; ")}.`,
  ];
}
