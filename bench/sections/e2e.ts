// Section 5: the whole local pipeline at growing multiples of the sample, each run in a
// fresh process (its wall time and peak RSS), and how time grows with the data.

import { catalogueStats } from "../../local/spotify-emulator/sample-data";
import { BENCH_RUN_HOUR, runPipelineWorker } from "../lib/pipeline-worker";
import { sampleMultipleCatalogue } from "../lib/dataset";
import { growthExponent, round } from "../lib/stats";
import type { E2eRunResult } from "../workers/e2e-run";

export const E2E_TARGETS = { maxGrowthExponent: 1.1 };

export interface E2eScaleResult {
  sampleMultiple: number;
  playlists: number;
  entries: number;
  status: string;
  error?: string;
  ms: number;
  peakRssMiB: number;
  rows: Record<string, number>;
  checks: number;
  failedChecks: string[];
}

export interface E2eResult {
  scales: E2eScaleResult[];
  /** log(time ratio) / log(entries ratio), smallest to largest run (target <= 1.1). */
  growthExponent: number;
  /** The same between each pair of consecutive runs. */
  stepExponents: { from: number; to: number; exponent: number }[];
}

export async function benchE2e(options: {
  workDir: string;
  multiples: readonly number[];
  log: (line: string) => void;
}): Promise<E2eResult> {
  const scales: E2eScaleResult[] = [];
  for (const multiple of options.multiples) {
    const catalogue = sampleMultipleCatalogue(multiple);
    const stats = catalogueStats(catalogue);
    options.log(`e2e: ${multiple}x the sample (${stats.entries} entries)`);
    const run = await runPipelineWorker<E2eRunResult>("e2e-run", {
      catalogue,
      workDir: options.workDir,
      label: `e2e-${multiple}x`,
      args: BENCH_RUN_HOUR,
    });
    scales.push({
      sampleMultiple: multiple,
      playlists: catalogue.playlists.length,
      entries: stats.entries,
      status: run.status,
      ...(run.error ? { error: `${run.error}: ${run.cause ?? ""}` } : {}),
      ms: Math.round(run.ms),
      peakRssMiB: round(run.peakRssMiB, 1),
      rows: run.rows,
      checks: run.checks,
      failedChecks: run.failedChecks,
    });
  }
  const point = (s: E2eScaleResult) => ({ size: s.entries, value: s.ms });
  const stepExponents = scales.slice(1).map((s, i) => ({
    from: scales[i]!.sampleMultiple,
    to: s.sampleMultiple,
    exponent: round(growthExponent(point(scales[i]!), point(s)), 3),
  }));
  const first = scales[0]!;
  const last = scales[scales.length - 1]!;
  return {
    scales,
    growthExponent: scales.length > 1 ? round(growthExponent(point(first), point(last)), 3) : NaN,
    stepExponents,
  };
}
