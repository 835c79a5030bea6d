// The cost model at 1,000 and 10,000 playlists (issue 16): the extraction as a Distributed Map
// whose child executions are batches of playlists, Express or Standard. Two metered steady
// hours (the sample and 10x) give the run's cost as fixed + per playlist; the extraction's
// own share is then re-priced for a Map Run: one Lambda call and one child execution per
// batch instead of one iteration per playlist. Prices: bench/aws-prices.json.

import { readFileSync } from "node:fs";
import { EXTRACT_SETTINGS } from "../../infra/config";
import { PIPELINE_FUNCTIONS } from "../../infra/constructs/functions";
import { PIPELINE_DEFINITION_FILE } from "../../statemachine/pipeline";
import type { MeteredHour } from "../workers/cost-run";
import {
  EXTRACT_TASK,
  MODEL,
  modeledMs,
  type HourBill,
  type Price,
  type PriceName,
} from "./cost-model";

export type ChildExecutionType = "EXPRESS" | "STANDARD";
export const CHILD_EXECUTION_TYPES: readonly ChildExecutionType[] = ["EXPRESS", "STANDARD"];

/** Assumptions of the scale model (not prices), each named so a reader can change it. */
export const SCALE_MODEL = {
  playlistCounts: [1_000, 10_000],
  batchSize: EXTRACT_SETTINGS.batchSize.fallback,
  /**
   * An Express child's memory: Step Functions bills a workflow's memory in 64-MB chunks, from
   * its definition's size and its payloads; one Task with keys-and-counts payloads fits one.
   */
  expressChildMemoryMb: 64,
  expressDurationStepMs: 100,
  /** Step Functions' own time in a child around its Lambda call (start, schedule, record). */
  childOverheadMs: 60,
  /**
   * What every extract invocation costs whatever its batch, besides the handler's time: one
   * S3 GET (the snapshot lease's read). Measured: the metered 10x steady hour made 1,766 GETs
   * with 240 single-playlist invocations and 1,538 with 10 batches, the same PUTs and POSTs.
   */
  invocationS3: { get: 1, put: 0, post: 0 },
  /**
   * The Map Run's own objects: PrepareRun PUTs the items, the ItemReader GETs them, the
   * ResultWriter PUTs the manifest and SUCCEEDED_0.json, extract-artists GETs the items, the
   * manifest and the results, the transform GETs the items.
   */
  mapRunS3: { put: 3, get: 5 },
} as const;

const EXTRACT_MEMORY_GB =
  PIPELINE_FUNCTIONS.find((f) => f.name === "extract-playlist")!.memoryMb / 1024;
const invocationFixedMs = () =>
  MODEL.handlerMs +
  (SCALE_MODEL.invocationS3.get + SCALE_MODEL.invocationS3.put + SCALE_MODEL.invocationS3.post) *
    MODEL.s3RequestMs;

interface ChildState {
  Type: string;
  Next?: string;
  End?: boolean;
}

/**
 * State transitions of one child execution on its normal path (no Catch taken): the states
 * from StartAt along Next to the end, read from the extraction Map's ItemProcessor in the
 * pipeline definition (the same child whether the Map is inline or distributed).
 */
export function childTransitions(
  definitionText = readFileSync(PIPELINE_DEFINITION_FILE, "utf8"),
): number {
  const definition = JSON.parse(definitionText) as {
    States: Record<
      string,
      { ItemProcessor?: { StartAt: string; States: Record<string, ChildState> } }
    >;
  };
  const processor = Object.values(definition.States).find(
    (state) =>
      Object.values(state.ItemProcessor?.States ?? {}).length > 0 &&
      EXTRACT_TASK in (state.ItemProcessor?.States ?? {}),
  )?.ItemProcessor;
  if (!processor) throw new Error(`no Map state runs ${EXTRACT_TASK} in the pipeline definition`);
  let count = 0;
  for (let name: string | undefined = processor.StartAt; name;) {
    const state: ChildState | undefined = processor.States[name];
    if (!state || count > Object.keys(processor.States).length) {
      throw new Error(`the extraction Map's child path from ${processor.StartAt} does not end`);
    }
    count += 1;
    name = state.End || state.Type === "Succeed" || state.Type === "Fail" ? undefined : state.Next;
  }
  return count;
}

/** What one playlist's extraction takes in AWS, beyond its invocation's fixed part. */
export function perPlaylistExtractMs(hour: MeteredHour, playlists: number): number {
  const extract = hour.invocations.filter((i) => i.task === EXTRACT_TASK);
  const total = extract.reduce((s, i) => s + modeledMs(i), 0);
  return Math.max(0, (total - extract.length * invocationFixedMs()) / playlists);
}

export interface ScaleBill {
  playlists: number;
  childExecutionType: ChildExecutionType;
  batches: number;
  perRunUsd: number;
  perMonthUsd: number;
  /** The Map Run's part of a run: children, extract invocations, the Map Run's S3 objects. */
  extractionUsd: Record<string, number>;
  childDurationMs: number;
}

export interface ScaleCost {
  /** The metered steady hours the projection is fitted on. */
  fittedOn: { playlists: number; perRunUsd: number }[];
  perPlaylistExtractMs: number;
  childTransitions: number;
  bills: ScaleBill[];
}

/**
 * Projects the steady on-schema-change hour to each playlist count and child type. `steady`
 * are the metered hours with their bills (at least two sizes); `month` turns a run's cost at
 * a size into the month's (runs, a schema-change crawl, storage, fixed costs).
 */
export function projectScale(
  steady: readonly { playlists: number; hour: MeteredHour; bill: HourBill }[],
  prices: Record<PriceName, Price>,
  month: (perRunUsd: number, playlists: number) => number,
  sizes: readonly number[] = [...SCALE_MODEL.playlistCounts],
): ScaleCost {
  if (steady.length < 2) throw new Error("the scale projection needs metered hours at two sizes");
  const [small, large] = [...steady].sort((a, b) => a.playlists - b.playlists).slice(-2) as [
    (typeof steady)[number],
    (typeof steady)[number],
  ];
  const p = (name: PriceName) => prices[name].usd;
  const workMs = perPlaylistExtractMs(large.hour, large.playlists);
  const transitionsPerChild = childTransitions();
  const invocationUsd =
    p("lambdaRequest") +
    (invocationFixedMs() / 1000) * EXTRACT_MEMORY_GB * p("lambdaArmGbSecond") +
    (SCALE_MODEL.invocationS3.put + SCALE_MODEL.invocationS3.post) * p("s3PutClassRequest") +
    SCALE_MODEL.invocationS3.get * p("s3GetClassRequest");

  // The metered runs' extraction overhead, what the projection prices again: each extract
  // invocation's fixed part, and the transitions of each iteration (inline: its Task in the
  // parent) or child (distributed: the local runtime counts a child's states as transitions).
  const meteredOverhead = (m: (typeof steady)[number]) => {
    const invocations = m.hour.invocations.filter((i) => i.task === EXTRACT_TASK).length;
    const inline = invocations === m.playlists;
    const transitions = invocations * (inline ? 1 : transitionsPerChild);
    return invocations * invocationUsd + transitions * p("stepFunctionsStateTransition");
  };

  // Everything else of a run, as fixed + per playlist (the transform, the artists and the
  // extraction's own work grow with the playlists; checks, crawl decisions and the 10 MB
  // Athena minimums do not).
  const rest = (m: (typeof steady)[number]) => m.bill.totalUsd - meteredOverhead(m);
  const perPlaylist = (rest(large) - rest(small)) / (large.playlists - small.playlists);
  const fixed = rest(small) - perPlaylist * small.playlists;

  const bills: ScaleBill[] = [];
  for (const playlists of sizes) {
    const batches = Math.ceil(playlists / SCALE_MODEL.batchSize);
    const batchSize = playlists / batches;
    const childDurationMs = invocationFixedMs() + batchSize * workMs + SCALE_MODEL.childOverheadMs;
    const billedChildSeconds =
      (Math.ceil(childDurationMs / SCALE_MODEL.expressDurationStepMs) *
        SCALE_MODEL.expressDurationStepMs) /
      1000;
    const mapRunS3 =
      SCALE_MODEL.mapRunS3.put * p("s3PutClassRequest") +
      SCALE_MODEL.mapRunS3.get * p("s3GetClassRequest");
    for (const childExecutionType of CHILD_EXECUTION_TYPES) {
      const children =
        childExecutionType === "STANDARD"
          ? batches * transitionsPerChild * p("stepFunctionsStateTransition")
          : batches *
            (p("stepFunctionsExpressRequest") +
              billedChildSeconds *
                (SCALE_MODEL.expressChildMemoryMb / 1024) *
                p("stepFunctionsExpressGbSecond"));
      const extractionUsd = {
        [`${childExecutionType} children`]: children,
        "extract invocations (fixed part)": batches * invocationUsd,
        "Map Run objects (S3)": mapRunS3,
      };
      const perRunUsd =
        fixed + perPlaylist * playlists + Object.values(extractionUsd).reduce((a, b) => a + b, 0);
      bills.push({
        playlists,
        childExecutionType,
        batches,
        perRunUsd,
        perMonthUsd: month(perRunUsd, playlists),
        extractionUsd,
        childDurationMs: Math.round(childDurationMs),
      });
    }
  }
  return {
    fittedOn: [small, large].map((m) => ({ playlists: m.playlists, perRunUsd: m.bill.totalUsd })),
    perPlaylistExtractMs: Math.round(workMs),
    childTransitions: transitionsPerChild,
    bills,
  };
}
