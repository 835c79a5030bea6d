// The backfill: every hour from --from to --to, one run per hour, at most `concurrency` at a
// time, skipping hours that already succeeded. One engine; a runner says how to run an hour
// and which hours already succeeded (local: the data folder's run records; AWS: the state
// machine's executions). Progress goes to a callback; the outcomes come back in hour order.

import { parseSnapshotHour } from "../../functions/commons/snapshot";
import { OpsError } from "../errors";

export type HourStatus = "SUCCEEDED" | "FAILED" | "SKIPPED";

export interface HourOutcome {
  /** ISO hour, e.g. 2026-11-22T05:00:00.000Z. */
  hour: string;
  status: HourStatus;
  /** The execution that ran it (or the earlier one that succeeded, when skipped). */
  execution?: string;
  durationMs?: number;
  /** Rows written over all tables. */
  rows?: number;
  /** Why it failed, or why it was skipped. */
  note?: string;
}

export interface BackfillRunner {
  /** The hours (of `hours`) that need no run, with the execution that already did it. */
  alreadyDone(hours: readonly string[]): Promise<Map<string, { execution: string; note: string }>>;
  /** Runs one hour to its end. A thrown error fails that hour only. */
  runHour(hour: string): Promise<Omit<HourOutcome, "hour">>;
}

/** Hours a backfill may span: about three months. */
export const MAX_BACKFILL_HOURS = 24 * 92;

/** Every hour from `from` to `to`, both included, as ISO instants. */
export function hoursBetween(from: string, to: string): string[] {
  const start = Date.parse(parseSnapshotHour(from, "--from").iso);
  const end = Date.parse(parseSnapshotHour(to, "--to").iso);
  if (end < start) throw new OpsError(`--to (${to}) is before --from (${from})`);
  const count = (end - start) / 3_600_000 + 1;
  if (count > MAX_BACKFILL_HOURS) {
    throw new OpsError(
      `--from ${from} --to ${to} spans ${count} hours, more than ${MAX_BACKFILL_HOURS}: backfill in parts`,
    );
  }
  return Array.from({ length: count }, (_, i) => new Date(start + i * 3_600_000).toISOString());
}

export interface BackfillProgress {
  outcome: HourOutcome;
  done: number;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface BackfillOptions {
  from: string;
  to: string;
  concurrency: number;
  runner: BackfillRunner;
  onProgress?: (progress: BackfillProgress) => void;
  /** Called as an hour starts (after the skipping). */
  onStart?: (hour: string) => void;
  /** The clock --to is checked against. */
  now?: Date;
}

export async function backfill(options: BackfillOptions): Promise<HourOutcome[]> {
  const { runner } = options;
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new OpsError(
      `--concurrency must be a whole number of at least 1, got ${options.concurrency}`,
    );
  }
  const hours = hoursBetween(options.from, options.to);
  // The pipeline refuses a snapshot after its start: say so once, not once per hour.
  const now = options.now ?? new Date();
  if (Date.parse(hours.at(-1)!) > now.getTime()) {
    throw new OpsError(
      `--to ${options.to} is in the future: the last hour a run can take is the current one`,
    );
  }
  const done = await runner.alreadyDone(hours);
  const outcomes = new Map<string, HourOutcome>();
  const counts = { done: 0, total: hours.length, succeeded: 0, failed: 0, skipped: 0 };
  const finish = (outcome: HourOutcome) => {
    outcomes.set(outcome.hour, outcome);
    counts.done += 1;
    if (outcome.status === "SUCCEEDED") counts.succeeded += 1;
    else if (outcome.status === "FAILED") counts.failed += 1;
    else counts.skipped += 1;
    options.onProgress?.({ outcome, ...counts });
  };
  const queue: string[] = [];
  for (const hour of hours) {
    const earlier = done.get(hour);
    if (earlier)
      finish({ hour, status: "SKIPPED", execution: earlier.execution, note: earlier.note });
    else queue.push(hour);
  }
  // `concurrency` workers take the next hour in order until none is left.
  const worker = async () => {
    for (let hour = queue.shift(); hour !== undefined; hour = queue.shift()) {
      options.onStart?.(hour);
      let outcome: HourOutcome;
      try {
        outcome = { hour, ...(await runner.runHour(hour)) };
      } catch (error) {
        outcome = { hour, status: "FAILED", note: (error as Error).message };
      }
      finish(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
  return hours.map((hour) => outcomes.get(hour)!);
}
