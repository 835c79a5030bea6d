// Validation progress (functions/core/validate/validation-progress.ts): how the check queries'
// outcomes become a pass, another poll, a retried query or a named failure, and a redrive that
// starts the checks again.

import { describe, expect, it } from "vitest";
import type { QueryEngine, QueryStatus } from "../../../functions/commons/ports";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import {
  checkValidation,
  startValidation,
} from "../../../functions/core/validate/validation-progress";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const ROWS = { songs_data: 830, albums_data: 219, artists_data: 146, playlists_data: 24 };

/** Answers each check query from a table of results keyed by the query's FROM table. */
class FakeEngine implements QueryEngine {
  started: string[] = [];
  statuses = new Map<string, QueryStatus[]>();
  constructor(private readonly answers: (sql: string) => Record<string, string>) {}
  async start(sql: string) {
    this.started.push(sql);
    return `q${this.started.length}`;
  }
  async status(id: string): Promise<QueryStatus> {
    const scripted = this.statuses.get(id);
    return scripted?.shift() ?? { state: "SUCCEEDED" };
  }
  async rows(id: string) {
    return [this.answers(this.started[Number(id.slice(1)) - 1]!)];
  }
}

const healthy = (sql: string): Record<string, string> => {
  const table = /FROM (\w+) WHERE/.exec(sql)?.[1] as keyof typeof ROWS | undefined;
  if (sql.includes("AS missing")) return { missing: "0" };
  return { row_count: String(ROWS[table!]), null_keys: "0", duplicate_keys: "0" };
};

describe("Validation progress", () => {
  it("passes when every check holds, listing each result", async () => {
    const engine = new FakeEngine(healthy);
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    const done = await checkValidation(engine, SNAPSHOT, ROWS, started);
    expect(done.done).toBe(true);
    expect(done.results?.every((r) => r.passed)).toBe(true);
    expect(done.results?.length).toBe(18);
  });

  it("keeps polling while a query is queued or running", async () => {
    const engine = new FakeEngine(healthy);
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    engine.statuses.set("q1", [{ state: "RUNNING" }]);
    const first = await checkValidation(engine, SNAPSHOT, ROWS, started);
    expect(first).toMatchObject({ done: false, polls: 1 });
    const second = await checkValidation(engine, SNAPSHOT, ROWS, first);
    expect(second).toMatchObject({ done: true, polls: 2 });
  });

  it("fails with DataQualityError naming every failed check with its numbers", async () => {
    const engine = new FakeEngine((sql) =>
      sql.includes("FROM songs_data WHERE")
        ? { row_count: "829", null_keys: "0", duplicate_keys: "2" }
        : healthy(sql),
    );
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    const failure = checkValidation(engine, SNAPSHOT, ROWS, started);
    await expect(failure).rejects.toMatchObject({ name: "DataQualityError" });
    await expect(failure).rejects.toThrow(
      /songs_data_row_count_matches_transform \(actual 829, expected = 830\).*songs_data_no_duplicate_positions \(actual 2, expected = 0\)/,
    );
  });

  it("starts a query again when Athena says its failure is retryable", async () => {
    const engine = new FakeEngine(healthy);
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    engine.statuses.set("q2", [{ state: "FAILED", retryable: true, reason: "throttled" }]);
    const first = await checkValidation(engine, SNAPSHOT, ROWS, started);
    expect(first.done).toBe(false);
    expect(first.queries[1]).toMatchObject({ attempts: 2, queryId: "q7" });
    const second = await checkValidation(engine, SNAPSHOT, ROWS, first);
    expect(second.done).toBe(true);
  });

  it("fails with QueryFailedError on a non-retryable failure or a cancellation by the scan cutoff", async () => {
    const engine = new FakeEngine(healthy);
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    engine.statuses.set("q3", [
      { state: "CANCELLED", reason: "Query exhausted the bytes scanned limit of 1 GB" },
    ]);
    await expect(checkValidation(engine, SNAPSHOT, ROWS, started)).rejects.toMatchObject({
      name: "QueryFailedError",
      message: expect.stringContaining("bytes scanned limit"),
    });
  });

  it("starts the checks again when a redrive resumes a poll, instead of re-reading the old verdict", async () => {
    const engine = new FakeEngine(healthy);
    const started = await startValidation(engine, SNAPSHOT, ROWS);
    const redriven = await checkValidation(engine, SNAPSHOT, ROWS, started, 1);
    expect(redriven).toMatchObject({ done: false, redriveCount: 1 });
    expect(engine.started).toHaveLength(12);
    expect(redriven.queries[0]!.queryId).toBe("q7");
  });
});
