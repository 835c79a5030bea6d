// Specification of the scale model: a run fitted as fixed + per playlist on two metered hours,
// its extraction re-priced as a Distributed Map of batches, Express children billed per
// request and per 100 ms of 64 MB, Standard children per state transition.

import { describe, expect, it } from "vitest";
import { billHour, EXTRACT_TASK, loadPrices } from "../../bench/lib/cost-model";
import { childTransitions, projectScale, SCALE_MODEL } from "../../bench/lib/scale-cost";
import { meteredHour, meteredInvocation } from "../support/metered-hour";

const prices = loadPrices();

/** A steady inline hour: one extract invocation and one parent transition per playlist. */
const inlineHour = (playlists: number) =>
  meteredHour({
    transitions: 15 + playlists,
    invocations: Array.from({ length: playlists }, () =>
      meteredInvocation({
        task: EXTRACT_TASK,
        step: "extract-playlist",
        localMs: 10,
        s3: { put: 1, list: 0, post: 1, get: 2 },
        spotifyRequests: 1,
      }),
    ),
  });

const metered = (playlists: number) => {
  const hour = inlineHour(playlists);
  return { playlists, hour, bill: billHour(hour, prices) };
};
const project = (sizes: number[]) =>
  projectScale([metered(24), metered(240)], prices, (perRun) => 720 * perRun, sizes);

describe("childTransitions", () => {
  it("counts the states of the extraction Map's child on its normal path", () => {
    const definition = JSON.stringify({
      States: {
        ExtractPlaylists: {
          Type: "Map",
          ItemProcessor: {
            StartAt: "Prepare",
            States: {
              Prepare: { Type: "Pass", Next: EXTRACT_TASK },
              [EXTRACT_TASK]: { Type: "Task", End: true },
              Wait: { Type: "Wait", Next: EXTRACT_TASK },
            },
          },
        },
      },
    });
    expect(childTransitions(definition)).toBe(2);
    expect(childTransitions()).toBeGreaterThanOrEqual(1);
  });
});

describe("projectScale", () => {
  it("starts one child execution and one Lambda call per batch of playlists", () => {
    const [express, standard] = project([10_000]).bills;
    expect(express).toMatchObject({ childExecutionType: "EXPRESS", batches: 400 });
    expect(standard).toMatchObject({ childExecutionType: "STANDARD", batches: 400 });
    // 400 children of one Task: 400 transitions, against 10,000 iterations inline.
    expect(standard!.extractionUsd["STANDARD children"]).toBeCloseTo(
      400 * childTransitions() * prices.stepFunctionsStateTransition.usd,
      10,
    );
  });

  it("bills an Express child per request and per started 100 ms of 64 MB", () => {
    const [express] = project([1_000]).bills;
    const seconds = Math.ceil(express!.childDurationMs / 100) / 10;
    expect(express!.extractionUsd["EXPRESS children"]).toBeCloseTo(
      40 *
        (prices.stepFunctionsExpressRequest.usd +
          seconds *
            (SCALE_MODEL.expressChildMemoryMb / 1024) *
            prices.stepFunctionsExpressGbSecond.usd),
      10,
    );
  });

  it("costs less per run than the inline Map it replaces, whose iterations each bill a transition and a call", () => {
    const inline10k = billHour(inlineHour(10_000), prices).totalUsd;
    for (const bill of project([10_000]).bills) expect(bill.perRunUsd).toBeLessThan(inline10k);
  });

  it("grows linearly in the playlists beyond the Map Run's fixed part", () => {
    const bills = project([1_000, 2_000, 3_000]).bills.filter(
      (b) => b.childExecutionType === "STANDARD",
    );
    const [a, b, c] = bills.map((bill) => bill.perRunUsd) as [number, number, number];
    expect(c - b).toBeCloseTo(b - a, 8);
  });

  it("needs two metered sizes to tell the fixed part from the per-playlist part", () => {
    expect(() => projectScale([metered(24)], prices, (x) => x)).toThrow(/two sizes/);
  });
});
