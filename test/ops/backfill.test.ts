// The backfill (ops/backfill): one engine over the hours --from..--to that skips the hours a
// runner says are done and runs the rest at most --concurrency at a time; the AWS runner
// (executions named after their snapshot, polled to their end) and the local runner (the local
// pipeline, its run records in the data folder), which also skips on a second backfill.

import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { readRunRecords } from "../../local/run-records";
import { resolveSpotifyTarget } from "../../local/spotify-target";
import { awsBackfillRunner } from "../../ops/backfill/aws-runner";
import {
  backfill,
  hoursBetween,
  type BackfillProgress,
  type BackfillRunner,
} from "../../ops/backfill/engine";
import { localBackfillRunner } from "../../ops/backfill/local-runner";
import { outcomesTable } from "../../ops/print";
import { newDataDir } from "../support/local-run";

const hour = (h: number) => new Date(Date.UTC(2026, 10, 22, h)).toISOString();

/** A runner whose hours end when the test says so, counting how many run at once. */
function controlledRunner(done: string[] = [], failing: string[] = []) {
  const pending = new Map<string, () => void>();
  const started: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const runner: BackfillRunner = {
    alreadyDone: async (hours) =>
      new Map(
        hours
          .filter((h) => done.includes(h))
          .map((h) => [h, { execution: `earlier-${h}`, note: "already succeeded" }]),
      ),
    runHour: (h) =>
      new Promise((resolve, reject) => {
        started.push(h);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        pending.set(h, () => {
          running -= 1;
          if (failing.includes(h)) reject(new Error(`Spotify answered 503 for ${h}`));
          else resolve({ status: "SUCCEEDED", execution: `run-${h}`, rows: 10 });
        });
      }),
  };
  /** Ends the oldest running hour, then lets the engine start the next. */
  const finishNext = async () => {
    const [h, finish] = [...pending.entries()][0]!;
    pending.delete(h);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { runner, started, pending, finishNext, maxRunning: () => maxRunning };
}

describe("Function: hoursBetween", () => {
  it("lists every hour, both ends included, whatever minutes the bounds carry", () => {
    expect(hoursBetween("2026-11-22T22:40:00Z", "2026-11-23T01:00:00+00:00")).toEqual([
      "2026-11-22T22:00:00.000Z",
      "2026-11-22T23:00:00.000Z",
      "2026-11-23T00:00:00.000Z",
      "2026-11-23T01:00:00.000Z",
    ]);
  });

  it("refuses a range that runs backwards, a bad bound, or more than three months", () => {
    expect(() => hoursBetween(hour(5), hour(4))).toThrow(
      "--to (2026-11-22T04:00:00.000Z) is before --from",
    );
    expect(() => hoursBetween("monday", hour(4))).toThrow(/--from must be an ISO 8601 time/);
    expect(() => hoursBetween("2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z")).toThrow(
      /backfill in parts/,
    );
  });
});

describe("Function: backfill", () => {
  it("skips the hours already done and runs the others in hour order, never more than --concurrency at once", async () => {
    // Prepare
    const control = controlledRunner([hour(1), hour(4)]);
    const progress: BackfillProgress[] = [];

    // Act
    const result = backfill({
      from: hour(0),
      to: hour(6),
      concurrency: 2,
      runner: control.runner,
      onProgress: (p) => progress.push(p),
    });
    await new Promise((resolve) => setImmediate(resolve));
    const firstStarted = [...control.started];
    while (control.pending.size > 0) await control.finishNext();
    const outcomes = await result;

    // Assess
    expect(firstStarted).toEqual([hour(0), hour(2)]);
    expect(control.started).toEqual([hour(0), hour(2), hour(3), hour(5), hour(6)]);
    expect(control.maxRunning()).toBe(2);
    expect(outcomes.map((o) => [o.hour, o.status])).toEqual([
      [hour(0), "SUCCEEDED"],
      [hour(1), "SKIPPED"],
      [hour(2), "SUCCEEDED"],
      [hour(3), "SUCCEEDED"],
      [hour(4), "SKIPPED"],
      [hour(5), "SUCCEEDED"],
      [hour(6), "SUCCEEDED"],
    ]);
    expect(outcomes[1]).toMatchObject({
      execution: `earlier-${hour(1)}`,
      note: "already succeeded",
    });
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(progress.at(-1)).toMatchObject({ total: 7, succeeded: 5, skipped: 2, failed: 0 });
  });

  it("records a failed hour with its reason and goes on with the others", async () => {
    const control = controlledRunner([], [hour(1)]);
    const result = backfill({ from: hour(0), to: hour(2), concurrency: 1, runner: control.runner });
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await control.finishNext();
    }
    const outcomes = await result;
    expect(outcomes.map((o) => o.status)).toEqual(["SUCCEEDED", "FAILED", "SUCCEEDED"]);
    expect(outcomes[1]!.note).toBe(`Spotify answered 503 for ${hour(1)}`);
    const table = outcomesTable(outcomes);
    expect(table).toContain("2026-11-22T01Z │ FAILED");
    expect(table).toContain("(3 rows)");
  });

  it("refuses hours in the future before running any", async () => {
    const control = controlledRunner();
    await expect(
      backfill({
        from: hour(0),
        to: hour(3),
        concurrency: 1,
        runner: control.runner,
        now: new Date(hour(2)),
      }),
    ).rejects.toThrow(
      `--to ${hour(3)} is in the future: the last hour a run can take is the current one`,
    );
    expect(control.started).toEqual([]);
  });

  it("refuses a concurrency below one", async () => {
    await expect(
      backfill({ from: hour(0), to: hour(1), concurrency: 0, runner: controlledRunner().runner }),
    ).rejects.toThrow("--concurrency must be a whole number of at least 1, got 0");
  });
});

describe("Function: awsBackfillRunner", () => {
  const REGION = "eu-west-1";
  const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:spotify-lake-dev-pipeline";
  const arnOf = (name: string) => MACHINE.replace(":stateMachine:", ":execution:") + `:${name}`;
  const sfnMock = mockClient(SFNClient);
  const sfn = new SFNClient({ region: REGION });
  beforeEach(() => sfnMock.reset());
  const item = (name: string, status: "SUCCEEDED" | "RUNNING") => ({
    name,
    executionArn: arnOf(name),
    stateMachineArn: MACHINE,
    status,
    startDate: new Date("2026-11-22T12:00:00Z"),
  });

  it("counts as done the hours whose execution in this mode succeeded or is running, the scheduler's by its output", async () => {
    // Prepare
    sfnMock
      .on(ListExecutionsCommand, { statusFilter: "SUCCEEDED" })
      .resolves({
        executions: [
          item("2026-11-22T01-full-aaaaaaaa", "SUCCEEDED"),
          item("2026-11-22T02-reprocess-bbbbbbbb", "SUCCEEDED"),
          item("5c8f36b2-scheduled", "SUCCEEDED"),
        ],
      })
      .on(ListExecutionsCommand, { statusFilter: "RUNNING" })
      .resolves({ executions: [item("2026-11-22T04-full-cccccccc", "RUNNING")] });
    sfnMock.on(DescribeExecutionCommand, { executionArn: arnOf("5c8f36b2-scheduled") }).resolves({
      input: "{}",
      output: JSON.stringify({ run: { snapshot: hour(3), mode: "full" } }),
    });

    // Act
    const done = await awsBackfillRunner({
      sfn,
      region: REGION,
      stateMachineArn: MACHINE,
      mode: "full",
    }).alreadyDone([0, 1, 2, 3, 4, 5].map(hour));

    // Assess: the reprocess of hour 2 does not count for a full backfill.
    expect([...done.entries()].sort()).toEqual([
      [hour(1), { execution: "2026-11-22T01-full-aaaaaaaa", note: "already succeeded" }],
      [hour(3), { execution: "5c8f36b2-scheduled", note: "already succeeded" }],
      [hour(4), { execution: "2026-11-22T04-full-cccccccc", note: "already running" }],
    ]);
  });

  it("starts the hour's execution and polls it to its end, reporting rows or the error", async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .callsFake((input: { name: string }) => ({ executionArn: arnOf(input.name) }));
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING" })
      .resolves({
        status: "FAILED",
        startDate: new Date("2026-11-22T12:00:00Z"),
        stopDate: new Date("2026-11-22T12:00:42Z"),
        error: "SpotifyRateLimitedError",
        cause: JSON.stringify({ errorMessage: "Spotify asked to wait 3600 s" }),
      });
    const sleeps: number[] = [];

    // Act
    const outcome = await awsBackfillRunner({
      sfn,
      region: REGION,
      stateMachineArn: MACHINE,
      mode: "full",
      pollMs: 5000,
      sleep: async (ms) => void sleeps.push(ms),
    }).runHour(hour(7));

    // Assess
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.name).toMatch(/^2026-11-22T07-full-[0-9a-f]{8}$/);
    expect(JSON.parse(sent.input!)).toEqual({ snapshot: hour(7) });
    expect(sleeps).toEqual([5000]);
    expect(outcome).toEqual({
      status: "FAILED",
      execution: sent.name,
      durationMs: 42_000,
      note: "FAILED SpotifyRateLimitedError: Spotify asked to wait 3600 s",
    });
  });
});

describe("Function: localBackfillRunner", () => {
  it("runs each hour through the local pipeline, records it, and a second backfill skips what succeeded", async () => {
    // Prepare
    const dataDir = newDataDir();
    const target = await resolveSpotifyTarget({
      live: false,
      extendedQuota: false,
      credentials: join(dataDir, "no-credentials.json"),
    });
    const runner = () =>
      localBackfillRunner({
        dataDir,
        mode: "full",
        spotify: target.spotify,
        defaultPlaylists: target.defaultPlaylists!,
      });
    try {
      // Act
      const first = await backfill({
        from: hour(3),
        to: hour(4),
        concurrency: 1,
        runner: runner(),
      });
      const second = await backfill({
        from: hour(3),
        to: hour(5),
        concurrency: 1,
        runner: runner(),
      });

      // Assess
      expect(first.map((o) => o.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
      expect(first[0]!.rows).toBeGreaterThan(0);
      expect(second.map((o) => o.status)).toEqual(["SKIPPED", "SKIPPED", "SUCCEEDED"]);
      expect(second[0]!.execution).toBe(first[0]!.execution);
      const records = await readRunRecords(dataDir);
      expect(records.map((r) => r.snapshot).sort()).toEqual([hour(3), hour(4), hour(5)]);
      const { columns, rows } = await runSql(
        localPaths(dataDir).catalog,
        "SELECT snapshot_hour, COUNT(*) AS n FROM playlists_data GROUP BY 1 ORDER BY 1",
      );
      expect(columns).toEqual(["snapshot_hour", "n"]);
      expect(rows.map((r) => r.snapshot_hour)).toEqual(["03", "04", "05"]);
    } finally {
      await target.close();
    }
  });
});
