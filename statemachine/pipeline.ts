// The pipeline's contract, next to the definition it describes: where pipeline.asl.json is,
// the Lambda steps its Task states call (each one's folder under functions/, the
// `${...FunctionArn}` placeholder standing for its ARN, its Task states), how to walk the
// states, and what a succeeded execution outputs. infra adds sizes and permissions per step
// and the local runtime a handler per step, both in tables keyed by PipelineStep, so a step
// added here without either does not compile. Only infra, local, tests and bench import this
// module: the Lambda bundles (functions/<step>/index.ts) never reach it.

import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { CrawlProgress } from "../functions/core/crawl/crawl-progress";
import type { ExtractionSummary } from "../functions/core/extract/extraction-outcomes";
import type { Run } from "../functions/core/prepare-run";
import type { TransformReport } from "../functions/core/transform/transform-snapshot";
import type { ValidationProgress } from "../functions/core/validate/validation-progress";

export const PIPELINE_DEFINITION_FILE = path.resolve(__dirname, "pipeline.asl.json");

interface StepContract {
  /** The `${...}` placeholder standing for the step's function ARN in the definition. */
  readonly placeholder: string;
  /** The Task states that invoke the step's function. */
  readonly taskStates: readonly string[];
}

/** Each Lambda step, keyed by its folder under functions/, in the order the pipeline runs them. */
export const PIPELINE_STEPS = {
  "prepare-run": { placeholder: "PrepareRunFunctionArn", taskStates: ["PrepareRun"] },
  "extract-playlist": {
    placeholder: "ExtractPlaylistFunctionArn",
    taskStates: ["ExtractPlaylistBatch"],
  },
  "extract-artists": { placeholder: "ExtractArtistsFunctionArn", taskStates: ["ExtractArtists"] },
  "transform-snapshot": {
    placeholder: "TransformSnapshotFunctionArn",
    taskStates: ["TransformSnapshot"],
  },
  "crawl-lake": {
    placeholder: "CrawlLakeFunctionArn",
    taskStates: ["StartCrawler", "GetCrawlerStatus"],
  },
  "validate-snapshot": {
    placeholder: "ValidateSnapshotFunctionArn",
    taskStates: ["StartValidation", "GetValidationStatus"],
  },
} as const satisfies Record<string, StepContract>;

export type PipelineStep = keyof typeof PIPELINE_STEPS;

/** The steps' function folders, in PIPELINE_STEPS order. */
export const PIPELINE_STEP_NAMES = Object.keys(PIPELINE_STEPS) as readonly PipelineStep[];

/** The step whose function a Task's function reference (`${...FunctionArn}`) names, if any. */
export function stepCalledBy(functionRef: string): PipelineStep | undefined {
  return PIPELINE_STEP_NAMES.find(
    (step) => functionRef === `\${${PIPELINE_STEPS[step].placeholder}}`,
  );
}

/** What a succeeded execution outputs: the state as the last state left it. */
export interface PipelineOutput {
  run: Run;
  /** Absent in reprocess mode, which does not call Spotify. */
  extraction?: Omit<ExtractionSummary, "missingArtists">;
  transform: Pick<
    TransformReport,
    "snapshot" | "rows" | "entries" | "unavailable" | "files" | "version"
  >;
  crawler: { crawl: CrawlProgress };
  validation: { checks: ValidationProgress };
}

/** The definition file, parsed (placeholders left in place). */
export function loadPipelineDefinition(): StateMachineDefinition {
  return JSON.parse(readFileSync(PIPELINE_DEFINITION_FILE, "utf8")) as StateMachineDefinition;
}

type States = StateMachineDefinition["States"];
type StateDefinition = States[string];

/** Every state of the definition with its name, those inside Map and Parallel included. */
export function allStates(states: States): [string, StateDefinition][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested =
      state.Type === "Map"
        ? [state.ItemProcessor ?? state.Iterator]
        : state.Type === "Parallel"
          ? state.Branches
          : [];
    return [
      [name, state] as [string, StateDefinition],
      ...nested.flatMap((branch) => (branch ? allStates(branch.States) : [])),
    ];
  });
}

/** Every Task state, with the function it invokes (or its Resource). */
export function taskStates(states: States): { name: string; functionRef: string }[] {
  return allStates(states).flatMap(([name, state]) => {
    if (state.Type !== "Task") return [];
    const fn = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    return [{ name, functionRef: typeof fn === "string" ? fn : state.Resource }];
  });
}
