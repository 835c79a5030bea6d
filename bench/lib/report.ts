// Renders benchmark results as Markdown tables with each figure set against its target, for
// the terminal and for docs/benchmarks.md.

import { mark, n, table } from "./markdown";
import { renderCost } from "./report-cost";
import type { BenchResults } from "./suite";

const kb = (bytes: number) => `${n(Math.round(bytes / 1024))} KiB`;

export function renderReport(results: BenchResults): string {
  const { machine, targets } = results;
  const out: string[] = [];
  out.push(
    `Command: \`${results.command}\` — ${results.startedAt}, ${n(Math.round(results.durationMs / 1000))} s in all.`,
    "",
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}, ${machine.platform} (${machine.kernel}); ` +
      Object.entries(machine.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") +
      ".",
  );

  if (results.transform) {
    const t = targets.transform;
    out.push(
      "",
      "### 1. Transform throughput",
      "",
      table(
        [
          "entries",
          "raw MB",
          "ours",
          "DuckDB",
          "floor (parse)",
          "ours rows/s",
          "ours MB/s",
          "DuckDB MB/s",
          "floor MB/s",
          `ours/floor throughput (≥ ${t.minFloorRatio})`,
          `ours/DuckDB time (≤ ${t.maxDuckDbRatio})`,
          "same rows",
        ],
        results.transform.map((s) => [
          n(s.entries),
          s.rawMB,
          `${n(s.ours.ms)} ms`,
          `${n(s.duckdb.ms)} ms`,
          `${n(s.floor.parseMs)} ms`,
          n(s.ours.rowsPerSec),
          s.ours.mbPerSec,
          s.duckdb.mbPerSec,
          s.floor.mbPerSec,
          `${s.oursOverFloorThroughput} ${mark(s.oursOverFloorThroughput >= t.minFloorRatio)}`,
          `${s.oursOverDuckDbTime} ${mark(s.oursOverDuckDbTime <= t.maxDuckDbRatio)}`,
          mark(s.consistency.sameRows),
        ]),
      ),
      "",
      "### 2. Transform memory (peak RSS of the process)",
      "",
      table(
        [
          "entries",
          "ours",
          "DuckDB",
          "floor (parse only)",
          `target at 1M (≤ ${t.maxPeakRssMiBAt1M} MiB)`,
        ],
        results.transform.map((s) => [
          n(s.entries),
          `${s.ours.peakRssMiB} MiB`,
          `${s.duckdb.peakRssMiB} MiB`,
          `${s.floor.peakRssMiB} MiB`,
          s.entries >= 1_000_000 ? mark(s.ours.peakRssMiB <= t.maxPeakRssMiBAt1M) : "",
        ]),
      ),
    );
  }

  if (results.extract) {
    const e = results.extract;
    out.push(
      "",
      `### 3. Extract efficiency (${e.sampleMultiple}× the sample, ${e.latencyMs} ms per request, ` +
        `${e.mapConcurrency} playlists at a time, ${e.artistConcurrency} artists at a time)`,
      "",
      table(
        [
          "mode",
          "playlists",
          "entries",
          "artists",
          "requests made",
          "minimum",
          "extra",
          "wall",
          "lower bound",
          `wall/bound (≤ ${targets.extract.maxWallOverLowerBound})`,
        ],
        e.modes.map((m) => [
          m.mode,
          n(m.playlists),
          n(m.entries),
          n(m.artists),
          n(m.requests.made),
          n(m.requests.minimum),
          `${m.requests.extra} ${mark(m.requests.extra <= targets.extract.maxExtraRequests)}`,
          `${n(m.wallMs)} ms`,
          `${n(m.lowerBoundMs)} ms`,
          `${m.wallOverLowerBound} ${mark(m.wallOverLowerBound <= targets.extract.maxWallOverLowerBound)}`,
        ]),
      ),
    );
  }

  if (results.incremental) {
    const r = results.incremental;
    const t = targets.incremental;
    const steady = r.hours.length - 1;
    out.push(
      "",
      `### 7. Incremental extraction (${r.hours.length} consecutive hours, ${r.sampleMultiple}× the sample: ` +
        `${n(r.playlists)} playlists, ${Math.round(r.changeRate * 100)} % of them changing an hour; ` +
        `development mode; artist details kept ${r.artistMaxAgeHours} h)`,
      "",
      table(
        [
          "hour",
          "changed playlists",
          "(a) full fetch",
          "(b) incremental",
          "lower bound",
          "(b) token / playlist / items / artists",
          "(b) time",
        ],
        [
          ...r.hours.map((h) => [
            h.hour.slice(0, 13).replace("T", " "),
            n(h.changedPlaylists),
            n(h.full),
            n(h.incremental),
            `${n(h.lowerBound)} ${mark(h.incremental === h.lowerBound)}`,
            (["token", "playlist", "items", "artists"] as const)
              .map((k) => h.incrementalByKind[k])
              .join(" / "),
            `${n(h.incrementalMs)} ms`,
          ]),
          [
            "**total**",
            "",
            n(r.totals.full),
            n(r.totals.incremental),
            n(r.totals.lowerBound),
            "",
            "",
          ],
        ],
      ),
      "",
      `Steady state (hours 2–${r.hours.length}): ${r.steadyHoursAtLowerBound} of ${steady} hours at exactly ` +
        `the lower bound ${mark(r.steadyHoursAtLowerBound === steady)}. Full fetch / incremental over ` +
        `the ${r.hours.length} hours: ${r.fullOverIncremental}× (target ≥ ${t.minFullOverIncremental}×) ` +
        `${mark(r.fullOverIncremental >= t.minFullOverIncremental)}.`,
    );
  }

  if (results.packaging) {
    const p = targets.packaging;
    out.push(
      "",
      "### 4. Packaging and cold start",
      "",
      table(
        [
          "function",
          `bundle (< ${kb(p.maxBundleBytes)})`,
          "zipped",
          "outcome",
          `load + handle, median (< ${p.maxMedianLoadAndHandleMs} ms)`,
          "of which load",
          "from process start",
          "spawn to exit",
        ],
        results.packaging.map((f) => [
          f.name,
          `${kb(f.bundleBytes)} ${mark(f.bundleBytes < p.maxBundleBytes)}`,
          kb(f.zipBytes),
          `${f.outcome}${f.outcome === f.expectedOutcome ? "" : ` (expected ${f.expectedOutcome})`}`,
          `${f.medianLoadAndHandleMs} ms ${mark(f.medianLoadAndHandleMs < p.maxMedianLoadAndHandleMs)}`,
          `${f.medianLoadMs} ms`,
          `${f.medianSinceProcessStartMs} ms`,
          `${f.medianSpawnToExitMs} ms`,
        ]),
      ),
    );
  }

  if (results.e2e) {
    const e = results.e2e;
    out.push(
      "",
      "### 5. End to end (local pipeline)",
      "",
      table(
        ["× sample", "playlists", "entries", "status", "wall", "peak RSS", "songs_data rows"],
        e.scales.map((s) => [
          `${s.sampleMultiple}×`,
          n(s.playlists),
          n(s.entries),
          s.status + (s.failedChecks.length ? ` (failed: ${s.failedChecks.join(", ")})` : ""),
          `${n(s.ms)} ms`,
          `${s.peakRssMiB} MiB`,
          n(s.rows.songs_data ?? 0),
        ]),
      ),
      "",
      `Growth exponent, ${e.scales[0]?.sampleMultiple}× to ${e.scales.at(-1)?.sampleMultiple}×: ` +
        `**${e.growthExponent}** ${mark(e.growthExponent <= targets.e2e.maxGrowthExponent)} ` +
        `(target ≤ ${targets.e2e.maxGrowthExponent}); per step: ` +
        e.stepExponents.map((s) => `${s.from}×→${s.to}× ${s.exponent}`).join(", ") +
        ".",
    );
  }
  if (results.cost) out.push(...renderCost(results.cost, targets.cost));
  if (results.scale) out.push(...renderScale(results.scale, targets.scale));
  return `${out.join("\n")}\n`;
}

/** Section 8: the Distributed Map at 100 to 10,000 playlists, under the enforced quotas. */
function renderScale(
  r: NonNullable<BenchResults["scale"]>,
  t: BenchResults["targets"]["scale"],
): string[] {
  return [
    "",
    "### 8. Scale-out (Distributed Map, extended mode, local runtime under the enforced quotas)",
    "",
    table(
      [
        "playlists",
        "entries",
        "status",
        "wall",
        "peak RSS",
        "requests (minimum)",
        `largest payload (< ${kb(t.maxPayloadBytes)})`,
        `parent history (< ${n(t.maxParentHistoryEvents)})`,
        "children",
        "longest child history",
        "playlists / artists / transform step",
      ],
      r.points.map((p) => [
        n(p.playlists),
        n(p.entries),
        p.status + (p.failedChecks.length ? ` (failed: ${p.failedChecks.join(", ")})` : ""),
        `${n(p.ms)} ms`,
        `${p.peakRssMiB} MiB`,
        `${n(p.requests)} (${n(p.minimumRequests)}) ${mark(p.requests - p.minimumRequests <= t.maxExtraRequests)}`,
        `${n(p.largestPayloadBytes)} B, ${p.largestPayloadWhere} ${mark(p.largestPayloadBytes < t.maxPayloadBytes)}`,
        `${n(p.parentHistoryEvents)} ${mark(p.parentHistoryEvents < t.maxParentHistoryEvents)}`,
        n(p.childExecutions),
        n(p.largestChildHistoryEvents),
        p.stepMs
          ? [p.stepMs.extractPlaylists, p.stepMs.extractArtists, p.stepMs.transform]
              .map((ms) => `${n(ms)} ms`)
              .join(" / ")
          : "",
      ]),
    ),
    "",
    `Growth exponent, ${n(r.points[0]?.playlists ?? 0)} to ${n(r.points.at(-1)?.playlists ?? 0)} ` +
      `playlists: **${r.growthExponent}** ${mark(r.growthExponent <= t.maxGrowthExponent)} ` +
      `(target ≤ ${t.maxGrowthExponent}).`,
  ];
}
