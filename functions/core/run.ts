// Reading back the `run` object that PrepareRun produced, in the later steps. The state
// machine carries it between states, so it is re-checked rather than trusted.

import { InvalidInputError } from "../commons/errors";
import type { SnapshotHour } from "../commons/snapshot";
import { snapshotHourFromIso } from "../commons/snapshot";

export interface RunRef {
  snapshot: SnapshotHour;
  executionId: string;
}

export function readRunRef(event: unknown): RunRef {
  const run = (event as { run?: unknown } | null)?.run;
  if (typeof run !== "object" || run === null) {
    throw new InvalidInputError("run", "is missing from the step's input");
  }
  const { snapshot, executionId } = run as Record<string, unknown>;
  if (typeof executionId !== "string" || executionId === "") {
    // It identifies the writer of a snapshot (see snapshot-lease.ts): never guess it.
    throw new InvalidInputError("run.executionId", "is missing from the step's input");
  }
  return { snapshot: snapshotHourFromIso(snapshot), executionId };
}
