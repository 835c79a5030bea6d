// The whole benchmark: seven sections, one run, one machine-readable result. `quick` shrinks
// every section to a tiny scale so the suite itself can be tested in `npm test`.

import { mkdirSync } from "node:fs";
import { benchCost, COST_TARGETS, type CostResult } from "../sections/cost";
import { benchE2e, E2E_TARGETS, type E2eResult } from "../sections/e2e";
import { benchExtract, EXTRACT_TARGETS, type ExtractResult } from "../sections/extract";
import {
  benchIncremental,
  INCREMENTAL_TARGETS,
  type IncrementalResult,
} from "../sections/incremental";
import {
  benchPackaging,
  PACKAGING_TARGETS,
  type FunctionPackagingResult,
} from "../sections/packaging";
import { benchScale, SCALE_TARGETS, type ScaleResult } from "../sections/scale";
import {
  benchTransform,
  TRANSFORM_TARGETS,
  type TransformScaleResult,
} from "../sections/transform";
import { describeMachine, type MachineDescription } from "./machine";

export const SECTIONS = [
  "transform",
  "extract",
  "packaging",
  "e2e",
  "cost",
  "incremental",
  "scale",
] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  /** Scratch space: datasets, lakes, bundles. */
  workDir: string;
  sections?: readonly Section[];
  log?: (line: string) => void;
}

export interface BenchResults {
  command: string;
  quick: boolean;
  startedAt: string;
  durationMs: number;
  machine: MachineDescription;
  targets: {
    transform: typeof TRANSFORM_TARGETS;
    extract: typeof EXTRACT_TARGETS;
    packaging: typeof PACKAGING_TARGETS;
    e2e: typeof E2E_TARGETS;
    cost: typeof COST_TARGETS;
    incremental: typeof INCREMENTAL_TARGETS;
    scale: typeof SCALE_TARGETS;
  };
  /** Sections 1 (throughput) and 2 (memory: `ours.peakRssMiB`) share the transform runs. */
  transform?: TransformScaleResult[];
  extract?: ExtractResult;
  packaging?: FunctionPackagingResult[];
  e2e?: E2eResult;
  cost?: CostResult;
  incremental?: IncrementalResult;
  scale?: ScaleResult;
}

export const FULL = {
  transformSizes: [10_000, 100_000, 1_000_000],
  transformRuns: (entries: number) => (entries <= 100_000 ? 3 : 1),
  extract: { sampleMultiple: 10, latencyMs: 20 },
  coldStartRuns: 9,
  e2eMultiples: [1, 10, 100],
  costMultiples: [1, 10],
  incremental: { sampleMultiple: 10, hours: 24 },
  scalePlaylists: [100, 1_000, 10_000],
};

export const QUICK = {
  transformSizes: [400],
  transformRuns: () => 1,
  extract: { sampleMultiple: 1, latencyMs: 5 },
  coldStartRuns: 1,
  e2eMultiples: [1, 2],
  costMultiples: [1],
  incremental: { sampleMultiple: 1, hours: 3 },
  scalePlaylists: [24, 48],
};

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const plan = options.quick ? QUICK : FULL;
  const sections = new Set(options.sections ?? SECTIONS);
  const log = options.log ?? (() => {});
  mkdirSync(options.workDir, { recursive: true });
  const started = performance.now();
  const results: BenchResults = {
    command: `npm run bench${options.quick ? " -- --quick" : ""}`,
    quick: options.quick,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    machine: describeMachine(),
    targets: {
      transform: TRANSFORM_TARGETS,
      extract: EXTRACT_TARGETS,
      packaging: PACKAGING_TARGETS,
      e2e: E2E_TARGETS,
      cost: COST_TARGETS,
      incremental: INCREMENTAL_TARGETS,
      scale: SCALE_TARGETS,
    },
  };
  if (sections.has("transform")) {
    results.transform = await benchTransform({
      workDir: options.workDir,
      sizes: plan.transformSizes,
      runsFor: plan.transformRuns,
      log,
    });
  }
  if (sections.has("extract")) results.extract = await benchExtract({ ...plan.extract, log });
  if (sections.has("packaging")) {
    results.packaging = await benchPackaging({
      workDir: options.workDir,
      runs: plan.coldStartRuns,
      log,
    });
  }
  if (sections.has("e2e")) {
    results.e2e = await benchE2e({ workDir: options.workDir, multiples: plan.e2eMultiples, log });
  }
  if (sections.has("cost")) {
    results.cost = await benchCost({
      workDir: options.workDir,
      multiples: plan.costMultiples,
      log,
    });
  }
  if (sections.has("incremental")) {
    results.incremental = await benchIncremental({ ...plan.incremental, log });
  }
  if (sections.has("scale")) {
    results.scale = await benchScale({
      workDir: options.workDir,
      playlists: plan.scalePlaylists,
      log,
    });
  }
  results.durationMs = Math.round(performance.now() - started);
  return results;
}
