// Runs the check queries the way Athena wants to be used from Step Functions: start them
// all, let the state machine wait, then collect. A query that fails with Athena's
// `Retryable` flag is started again (a bounded number of times); any other failure, or a
// cancellation by the workgroup's bytes-scanned cutoff, fails the run with the reason.

import { DataQualityError, QueryFailedError } from "../../commons/errors";
import type { QueryEngine } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import type { TransformedRows } from "./checks";
import { buildCheckQueries } from "./checks";

const MAX_QUERY_ATTEMPTS = 3;

export interface CheckResult {
  check: string;
  passed: boolean;
  actual: number;
  expected: string;
}

/** Carried between StartValidation and GetValidationStatus through the state machine. */
export interface ValidationProgress {
  queries: { name: string; queryId: string; attempts: number }[];
  done: boolean;
  polls: number;
  /** `$$.Execution.RedriveCount` when these queries were started. */
  redriveCount: number;
  results?: CheckResult[];
}

export async function startValidation(
  engine: QueryEngine,
  snapshot: SnapshotHour,
  rows: TransformedRows,
  redriveCount = 0,
): Promise<ValidationProgress> {
  const queries = [];
  for (const query of buildCheckQueries(snapshot, rows)) {
    queries.push({ name: query.name, queryId: await engine.start(query.sql), attempts: 1 });
  }
  return { queries, done: false, polls: 0, redriveCount };
}

export async function checkValidation(
  engine: QueryEngine,
  snapshot: SnapshotHour,
  rows: TransformedRows,
  progress: ValidationProgress,
  redriveCount = 0,
): Promise<ValidationProgress> {
  if (redriveCount > (progress.redriveCount ?? 0)) {
    // A redrive after the data was repaired: the finished queries judged the old data.
    const restarted = await startValidation(engine, snapshot, rows, redriveCount);
    return { ...restarted, polls: progress.polls + 1 };
  }
  const definitions = new Map(buildCheckQueries(snapshot, rows).map((q) => [q.name, q]));
  const queries = [...progress.queries];
  let pending = false;
  const results: CheckResult[] = [];

  for (const [index, query] of queries.entries()) {
    const definition = definitions.get(query.name);
    if (!definition) throw new QueryFailedError(`Unknown check query ${query.name}`);
    const status = await engine.status(query.queryId);
    if (status.state === "QUEUED" || status.state === "RUNNING") {
      pending = true;
      continue;
    }
    if (status.state === "FAILED" && status.retryable && query.attempts < MAX_QUERY_ATTEMPTS) {
      const queryId = await engine.start(definition.sql);
      queries[index] = { ...query, queryId, attempts: query.attempts + 1 };
      pending = true;
      continue;
    }
    if (status.state !== "SUCCEEDED") {
      throw new QueryFailedError(
        `Check query ${query.name} (${query.queryId}) ended ${status.state}` +
          (status.reason ? `: ${status.reason}` : "") +
          (query.attempts > 1 ? ` after ${query.attempts} attempts` : ""),
      );
    }
    const [row] = await engine.rows(query.queryId);
    for (const assertion of definition.assertions) {
      const raw = row?.[assertion.column];
      const actual = raw === null || raw === undefined ? 0 : Number(raw);
      if (!Number.isFinite(actual)) {
        throw new QueryFailedError(`Check query ${query.name} returned ${assertion.column}=${raw}`);
      }
      results.push({
        check: assertion.check,
        passed: assertion.passes(actual),
        actual,
        expected: assertion.expected,
      });
    }
  }

  const polls = progress.polls + 1;
  if (pending) return { ...progress, queries, done: false, polls };

  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new DataQualityError(
      `${failed.length} of ${results.length} checks failed for snapshot ${snapshot.iso}: ` +
        failed.map((r) => `${r.check} (actual ${r.actual}, expected ${r.expected})`).join("; "),
    );
  }
  return { ...progress, queries, done: true, polls, results };
}
