// Section 7: the whole local pipeline at 100, 1,000 and 10,000 playlists of an extended-quota
// app, each in a fresh process, under the enforced Step Functions quotas: wall time, peak
// memory, requests against the fewest possible, the largest state payload (parent and
// children), the parent's history and the longest child's, and how time grows with the
// playlists (log(t_last / t_first) / log(n_last / n_first)).

import { catalogueStats } from "../../local/spotify-emulator/sample-data";
import { catalogueOfPlaylists } from "../lib/dataset";
import { BENCH_RUN_HOUR, runPipelineWorker } from "../lib/pipeline-worker";
import { growthExponent, round } from "../lib/stats";
import type { ScaleRunResult } from "../workers/scale-run";
import { extractLowerBound, mapMaxConcurrency } from "./extract";

export const SCALE_TARGETS = {
  maxParentHistoryEvents: 2_000,
  maxPayloadBytes: 65_536,
  maxGrowthExponent: 1.05,
  maxExtraRequests: 0,
};

export interface ScalePointResult {
  playlists: number;
  entries: number;
  status: string;
  error?: string;
  ms: number;
  peakRssMiB: number;
  requests: number;
  minimumRequests: number;
  /** The largest payload of the parent execution and of any child, in bytes. */
  largestPayloadBytes: number;
  largestPayloadWhere: string;
  parentHistoryEvents: number;
  childExecutions: number;
  largestChildHistoryEvents: number;
  checks: number;
  failedChecks: string[];
  /** Time in the extraction's steps and the transform, to see which step grows. */
  stepMs: { extractPlaylists: number; extractArtists: number; transform: number };
}

export interface ScaleResult {
  points: ScalePointResult[];
  /** log(time ratio) / log(playlists ratio), smallest to largest run (target <= 1.05). */
  growthExponent: number;
}

export async function benchScale(options: {
  workDir: string;
  playlists: readonly number[];
  log: (line: string) => void;
}): Promise<ScaleResult> {
  const points: ScalePointResult[] = [];
  for (const n of options.playlists) {
    const catalogue = catalogueOfPlaylists(n);
    const stats = catalogueStats(catalogue);
    options.log(`scale: ${n} playlists (${stats.entries} entries), extended mode`);
    const run = await runPipelineWorker<ScaleRunResult>("scale-run", {
      catalogue,
      workDir: options.workDir,
      label: `scale-${n}`,
      mode: "extended",
      args: BENCH_RUN_HOUR,
    });
    const { quotas } = run;
    const child = quotas.childExecutions;
    const largest =
      child && child.largestPayload.bytes > quotas.largestPayload.bytes
        ? { ...child.largestPayload, where: "child" }
        : { ...quotas.largestPayload, where: "parent" };
    points.push({
      playlists: n,
      entries: stats.entries,
      status: run.status,
      ...(run.error ? { error: `${run.error}: ${run.cause ?? ""}` } : {}),
      ms: Math.round(run.ms),
      peakRssMiB: round(run.peakRssMiB, 1),
      requests: run.requests,
      minimumRequests: extractLowerBound(catalogue, "extended", mapMaxConcurrency(), 0).minimum,
      largestPayloadBytes: largest.bytes,
      largestPayloadWhere: `${largest.what} of ${largest.state} (${largest.where})`,
      parentHistoryEvents: quotas.historyEvents,
      childExecutions: child?.count ?? 0,
      largestChildHistoryEvents: child?.largestHistoryEvents ?? 0,
      checks: run.checks,
      failedChecks: run.failedChecks,
      stepMs: {
        extractPlaylists: run.stateMs?.ExtractPlaylists ?? 0,
        extractArtists: run.stateMs?.ExtractArtists ?? 0,
        transform: run.stateMs?.TransformSnapshot ?? 0,
      },
    });
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const point = (p: ScalePointResult) => ({ size: p.playlists, value: p.ms });
  return {
    points,
    growthExponent:
      points.length > 1 ? round(growthExponent(point(first), point(last)), 3) : Number.NaN,
  };
}
