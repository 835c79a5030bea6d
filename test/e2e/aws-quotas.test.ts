// The local runtime holds the pipeline to the Step Functions quotas AWS enforces
// (local/aws-quotas.ts): every state's input and output and every Task result at most
// 262,144 bytes of JSON, and at most 25,000 history events, in the parent execution and in
// each child execution of the Distributed Map alike. A snapshot of 1,000 readable playlists
// stays far under both (the margins are printed); going over either fails the execution (or
// the child, and so the Map Run) as AWS does, with States.DataLimitExceeded or at the history
// cap, and nothing after the state that broke it runs.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpotifyRateLimitWaitRequested } from "../../functions/commons/errors";
import {
  HISTORY_EVENT_LIMIT,
  historyEventsOf,
  QuotaMeter,
  STATE_PAYLOAD_LIMIT_BYTES,
} from "../../local/aws-quotas";
import { LambdaInvocationError } from "../../local/lambda-runtime";
import { localPaths, runPipelineLocally } from "../../local/local-pipeline";
import { generateSampleCatalogue, SAMPLE_USER_ID } from "../../local/spotify-emulator/sample-data";
import { runAgainstEmulator } from "../support/fault-harness";
import { newDataDir } from "../support/local-run";
import { PARTITION, SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";

describe("AWS quotas in the local runtime", () => {
  it("counts the events AWS writes: 5 for a Lambda Task, 2 for a Pass, Map iterations included", () => {
    const state = (type: string) => ({ name: "S", type, input: {} }) as never;
    const task = [
      { type: "StateEntered", state: state("Task") },
      { type: "StateExited", state: state("Task") },
    ] as const;
    expect(task.map((e) => historyEventsOf(e as never)).reduce((a, b) => a + b)).toBe(5);
    expect(historyEventsOf({ type: "StateEntered", state: state("Pass") } as never)).toBe(1);
    expect(historyEventsOf({ type: "MapIterationStarted" } as never)).toBe(1);
    // A failed attempt and its retry: TaskFailed, then TaskScheduled and TaskStarted again.
    expect(historyEventsOf({ type: "StateFailed", state: state("Task") } as never)).toBe(1);
    expect(historyEventsOf({ type: "StateRetried", state: state("Task") } as never)).toBe(2);
    // A Distributed Map (run as a Task of its name): MapStateEntered, MapStateStarted,
    // MapRunStarted, then MapRunSucceeded, MapStateSucceeded, MapStateExited.
    const maps = new Set(["S"]);
    expect(task.map((e) => historyEventsOf(e as never, maps)).reduce((a, b) => a + b)).toBe(6);
    expect(historyEventsOf({ type: "StateFailed", state: state("Task") } as never, maps)).toBe(2);
  });

  it("allows a 25,000th event only when it is ExecutionSucceeded", () => {
    const pass = (type: "StateEntered" | "StateExited") =>
      ({ type, state: { name: "P", type: "Pass", input: {}, output: {} } }) as never;
    const upTo = (meter: QuotaMeter, n: number) => {
      for (let i = 0; i < n; i++) meter.observe(pass(i % 2 ? "StateExited" : "StateEntered"));
    };
    const succeeding = new QuotaMeter();
    upTo(succeeding, HISTORY_EVENT_LIMIT - 1);
    expect(succeeding.observe({ type: "ExecutionSucceeded", output: {} } as never)).toBeUndefined();
    const failing = new QuotaMeter();
    upTo(failing, HISTORY_EVENT_LIMIT - 1);
    expect(failing.violation).toBeUndefined();
    expect(failing.observe(pass("StateEntered"))).toMatchObject({
      error: "States.Runtime",
      cause: "The execution reached the maximum number of history events (25000).",
    });
  });

  it("runs 1,000 readable playlists under both quotas, and says by how much", async () => {
    // The states carry ids and counts, never entries: short playlists give the same payloads
    // and the same history as long ones, in a fraction of the time.
    // Readable ones: in development mode the sample user reads only playlists it owns or
    // collaborates on (21 of every 24), so the scale gives 1,008 of them.
    const sample = generateSampleCatalogue({ scale: 48 });
    const readable = sample.playlists.filter(
      ({ playlist, collaborators }) =>
        playlist.owner.id === SAMPLE_USER_ID ||
        (playlist.collaborative && (collaborators ?? []).includes(SAMPLE_USER_ID)),
    );
    const catalogue = {
      ...sample,
      playlists: readable.map((p) => ({ ...p, entries: p.entries.slice(0, 3) })),
    };
    const playlists = catalogue.playlists.slice(0, 1000).map((p) => p.playlist.id);
    const run = await runAgainstEmulator({
      dataDir: newDataDir(),
      input: { snapshot: SNAPSHOT, playlists },
      startTime: START,
      emulator: { catalogue },
    });

    expect(run.status, `${run.error}: ${run.cause}`).toBe("SUCCEEDED");
    const { historyEvents, largestPayload, childExecutions } = run.quotas;
    console.info(
      `1,000 playlists: ${historyEvents} history events (limit ${HISTORY_EVENT_LIMIT}, margin ` +
        `${HISTORY_EVENT_LIMIT - historyEvents}); largest payload ${largestPayload.bytes} bytes, ` +
        `${largestPayload.what} of ${largestPayload.state} (limit ${STATE_PAYLOAD_LIMIT_BYTES}, ` +
        `margin ${STATE_PAYLOAD_LIMIT_BYTES - largestPayload.bytes}); ${childExecutions?.count} ` +
        `children, the longest history ${childExecutions?.largestHistoryEvents} events`,
    );
    // The parent's history does not grow with the playlists: the Map is six events, and the
    // run's other states as for one playlist.
    expect(historyEvents).toBeLessThan(100);
    // 40 children of 25 playlists; each child's normal path: its start and end, one Task's five.
    expect(childExecutions?.count).toBe(40);
    expect(childExecutions?.largestHistoryEvents).toBe(7);
    // The list is in the execution's input (PrepareRun's) and in the items object; after
    // PrepareRun ids travel only in the children's inputs, 25 at a time.
    expect(largestPayload).toMatchObject({ state: "PrepareRun", what: "input" });
    expect(largestPayload.bytes).toBeLessThan(1000 * 26);
    expect(childExecutions?.largestPayload.bytes).toBeLessThan(2_000);
  }, 120_000);

  it("fails a Task whose result is over 256 KiB with States.DataLimitExceeded, no Retry or Catch applying", async () => {
    const dataDir = newDataDir();
    const run = await runAgainstEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS.slice(0, 1) },
      startTime: START,
      aroundTask: {
        ExtractArtists: async (invoke) => {
          const result = (await invoke()) as { Payload: object };
          return { ...result, Payload: { ...result.Payload, padding: "x".repeat(300_000) } };
        },
      },
    });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("States.DataLimitExceeded");
    expect(run.cause).toMatch(/task 'ExtractArtists' returned a result with a size exceeding/);
    expect(run.failedState?.name).toBe("ExtractArtists");
    expect(existsSync(join(localPaths(dataDir).lake, "songs_data"))).toBe(false);
  });

  it("fails a child whose batch result is over 256 KiB, and so the Map Run, before the next state runs", async () => {
    const dataDir = newDataDir();
    const playlists = SIX_PLAYLISTS.slice(0, 4);
    let artistsCalls = 0;
    const run = await runAgainstEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT, playlists },
      startTime: START,
      aroundTask: {
        // The batch's result carries a 300 KB count: over the limit in the child's Task.
        ExtractPlaylistBatch: async (invoke) => {
          const result = (await invoke()) as { Payload: object };
          return { ...result, Payload: { ...result.Payload, entries: "x".repeat(300_000) } };
        },
        ExtractArtists: async (invoke) => {
          artistsCalls += 1;
          return invoke();
        },
      },
    });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(run.mapRunFailure?.error).toBe("States.DataLimitExceeded");
    expect(run.mapRunFailure?.cause).toMatch(
      /task 'ExtractPlaylistBatch' returned a result with a size exceeding/,
    );
    expect(run.failedState?.name).toBe("ExtractPlaylists");
    expect(artistsCalls).toBe(0);
    expect(existsSync(join(localPaths(dataDir).raw, "spotify", PARTITION, "artists"))).toBe(false);
  });

  it("fails a child execution that reaches 25,000 history events, as AWS does, and so the Map Run", async () => {
    const dataDir = newDataDir();
    let calls = 0;
    const run = await runPipelineLocally({
      dataDir,
      input: { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS.slice(0, 1) },
      startTime: START,
      defaultPlaylists: [],
      spotify: { credentials: { clientId: "unused", clientSecret: "unused" } },
      // Spotify asks to wait, forever: every loop writes 15 events in the child (the caught
      // Task's seven, two Pass states reading the wait, the Wait, the Pass counting it: two each).
      aroundTask: {
        ExtractPlaylistBatch: async () => {
          calls += 1;
          throw new LambdaInvocationError(new SpotifyRateLimitWaitRequested(1, calls));
        },
      },
    });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(run.mapRunFailure?.error).toBe("States.Runtime");
    expect(run.mapRunFailure?.cause).toBe(
      "The execution reached the maximum number of history events (25000).",
    );
    expect(run.quotas.childExecutions?.largestHistoryEvents).toBe(HISTORY_EVENT_LIMIT);
    // The parent's own history: a few events, its Map's six among them.
    expect(run.quotas.historyEvents).toBeLessThan(20);
    expect(calls).toBeGreaterThan(1500);
    expect(calls).toBeLessThan(1800);
  }, 60_000);
});
