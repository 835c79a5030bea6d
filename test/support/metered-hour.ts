// Builders of the cost model's input: one metered invocation and one metered hour, with
// realistic defaults any test overrides (test/bench/cost-model.test.ts, scale-cost.test.ts).

import type { Invocation } from "../../bench/lib/billing-meter";
import type { MeteredHour } from "../../bench/workers/cost-run";

export const meteredInvocation = (overrides: Partial<Invocation> = {}): Invocation => ({
  task: "TransformSnapshot",
  step: "transform-snapshot",
  localMs: 1000,
  s3: { put: 0, list: 0, post: 0, get: 0 },
  awsApiCalls: 0,
  spotifyRequests: 0,
  ...overrides,
});

export const meteredHour = (overrides: Partial<MeteredHour> = {}): MeteredHour => ({
  label: "steady hour",
  crawl: "on-schema-change",
  status: "SUCCEEDED",
  transitions: 10,
  historyEvents: 30,
  invocations: [meteredInvocation()],
  queries: [],
  crawlerStarts: 0,
  glueCatalogRequests: 0,
  secretsManagerCalls: 0,
  unattributed: 0,
  storedBytes: { raw: 0, lake: 0 },
  crawlerTargets: 4,
  lakeFiles: { all: 8, thisHour: 4 },
  logs: { lines: 0, bytes: 0 },
  ...overrides,
});
