// What a full local run does when Spotify misbehaves: each fault a real Spotify produces is
// injected into the emulator during a run of the real state machine and handlers. A fault the
// pipeline can absorb must leave raw and lake byte-identical to a clean run's; one it cannot
// must end in the named error with nothing already stored lost.

import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { localPaths } from "../../local/local-pipeline";
import type { Fault } from "../../local/spotify-emulator/faults";
import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator } from "../../local/spotify-emulator/server";
import type { HarnessOptions, HarnessRun, RunOutput } from "../support/fault-harness";
import {
  bucketFingerprints,
  entriesAccountedFor,
  isTokenRequest,
  playlistPath,
  runAgainstEmulator,
} from "../support/fault-harness";
import { newDataDir } from "../support/local-run";
import { PARTITION, SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";

const SNAPSHOT_PREFIX = `spotify/${PARTITION}`;

const PLAYLISTS = SIX_PLAYLISTS;
const MULTI_PAGE = SAMPLE_IDS.multiPagePlaylist;
const INPUT = { snapshot: SNAPSHOT, playlists: PLAYLISTS };

const run = (options: Omit<HarnessOptions, "startTime" | "input"> & { input?: unknown }) =>
  runAgainstEmulator({ input: INPUT, startTime: START, ...options });

const enqueue =
  (...faults: Fault[]) =>
  (emulator: SpotifyEmulator) => {
    for (const fault of faults) emulator.faults.enqueue(fault);
  };

const requestsTo = (result: HarnessRun, path: RegExp) =>
  result.requests.filter((r) => path.test(r.path));
/** The waits the state machine took for rate limits, in seconds, in order. */
const rateLimitWaits = (result: HarnessRun) =>
  result.events
    .filter((e) => e.phase === "entered" && e.state === "WaitForPlaylistRateLimit")
    .map((e) => (e.input as { wait: { retryAfterSeconds: number } }).wait.retryAfterSeconds);
const stateRetries = (result: HarnessRun, state: string) =>
  result.events.filter((e) => e.phase === "retried" && e.state === state).length;
/** The snapshot lease a failed run leaves to run out (functions/core/snapshot-lease.ts) is not data. */
const withoutLease = (files: Awaited<ReturnType<typeof bucketFingerprints>>) => ({
  lake: files.lake,
  raw: Object.fromEntries(Object.entries(files.raw).filter(([key]) => !key.startsWith("_leases/"))),
});
const manifestOf = (playlistId: string) =>
  `${SNAPSHOT_PREFIX}/playlist_id=${playlistId}/_manifest.json`;

describe("A full local run under injected Spotify faults", () => {
  const cleanDir = newDataDir();
  let clean: HarnessRun;
  let cleanFiles: Awaited<ReturnType<typeof bucketFingerprints>>;

  beforeAll(async () => {
    clean = await run({ dataDir: cleanDir });
    expect(clean.status, `${clean.error}: ${clean.cause}`).toBe("SUCCEEDED");
    cleanFiles = await bucketFingerprints(cleanDir);
  });

  /** A fault that was absorbed: same data as the clean run, every entry accounted for. */
  async function expectSameDataAsCleanRun(result: HarnessRun, dataDir: string) {
    expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
    expect(result.faultsPending, "every injected fault was hit").toBe(0);
    const output = result.output as RunOutput;
    const cleanOutput = clean.output as RunOutput;
    expect(output.transform.entries.read).toBe(cleanOutput.transform.entries.read);
    expect(entriesAccountedFor(output)).toBe(output.transform.entries.read);
    expect(output.validation.checks.results!.filter((c) => !c.passed)).toEqual([]);
    const files = await bucketFingerprints(dataDir);
    expect(files.lake).toEqual(cleanFiles.lake);
    expect(files.raw).toEqual(cleanFiles.raw);
  }

  it("takes a clean baseline in which every entry read is a row, skipped or set aside", () => {
    const output = clean.output as RunOutput;
    expect(output.transform.entries.read).toBeGreaterThan(300);
    expect(entriesAccountedFor(output)).toBe(output.transform.entries.read);
    expect(Object.keys(cleanFiles.lake).length).toBeGreaterThanOrEqual(4);
    expect(clean.sleeps).toEqual([]);
  });

  describe("faults the Spotify client absorbs in process", () => {
    it("waits out a 429 with a short Retry-After in process and stores the same data", async () => {
      const dataDir = newDataDir();
      const result = await run({
        dataDir,
        beforeRun: enqueue({
          status: 429,
          retryAfterSeconds: 1,
          path: playlistPath(MULTI_PAGE, "items"),
        }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      expect(result.sleeps).toEqual([1000]);
      expect(stateRetries(result, "ExtractPlaylistBatch")).toBe(0);
    });

    it.each([500, 502, 503, 504] as const)(
      "retries a %i in process and stores the same data",
      async (status) => {
        const dataDir = newDataDir();
        const result = await run({
          dataDir,
          beforeRun: enqueue({ status, path: playlistPath(MULTI_PAGE, "items"), times: 2 }),
        });
        await expectSameDataAsCleanRun(result, dataDir);
        expect(requestsTo(result, playlistPath(MULTI_PAGE, "items")).length).toBe(
          requestsTo(clean, playlistPath(MULTI_PAGE, "items")).length + 2,
        );
        expect(result.sleeps).toHaveLength(2);
        expect(stateRetries(result, "ExtractPlaylistBatch")).toBe(0);
      },
    );

    it.each([
      ["a reset connection", { kind: "reset" }],
      ["a body cut off mid-transfer", { kind: "truncated" }],
      ["a complete 200 whose JSON is cut in half", { kind: "invalidJson" }],
    ] as const)("retries %s and never stores the broken body", async (_, fault) => {
      const dataDir = newDataDir();
      const result = await run({
        dataDir,
        beforeRun: enqueue({ ...fault, path: playlistPath(MULTI_PAGE, "items") }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      expect(result.requests.filter((r) => r.fault === fault.kind)).toHaveLength(1);
      expect(result.sleeps).toHaveLength(1);
    });

    it("gives up on a response slower than the client's timeout and retries it", async () => {
      // The emulator's delay waits on this gate, released only after the run: the first answer
      // never comes, and the client's 300 ms timeout is the only real wait in this test.
      const gates: (() => void)[] = [];
      const dataDir = newDataDir();
      try {
        const result = await run({
          dataDir,
          emulator: { sleep: () => new Promise<void>((open) => gates.push(open)) },
          spotify: { requestTimeoutMs: 300 },
          beforeRun: enqueue({
            kind: "delay",
            ms: 60_000,
            path: playlistPath(MULTI_PAGE, "items"),
          }),
        });
        await expectSameDataAsCleanRun(result, dataDir);
        const delayed = result.requests.filter((r) => r.fault === "delay");
        expect(delayed).toHaveLength(1);
        expect(delayed[0]!.status, "no answer was ever sent").toBe(0);
        expect(result.sleeps).toHaveLength(1);
      } finally {
        for (const open of gates) open();
      }
    });

    it("renews an access token that expires mid-run with exactly one extra token request", async () => {
      const dataDir = newDataDir();
      const result = await run({
        dataDir,
        beforeRun: enqueue({ kind: "expireTokens", path: playlistPath(MULTI_PAGE, "items") }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      // Requests already in flight with the expired token get 401 too; they share one renewal.
      expect(result.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
      expect(result.requests.filter(isTokenRequest)).toHaveLength(
        clean.requests.filter(isTokenRequest).length + 1,
      );
    });
  });

  describe("faults the state machine's Retry absorbs", () => {
    it("retries the playlist's state when a 5xx outlasts the in-process attempts", async () => {
      const dataDir = newDataDir();
      // The client makes 4 attempts per request; the 5th 503 is met by the state's retry.
      const result = await run({
        dataDir,
        beforeRun: enqueue({ status: 503, path: playlistPath(MULTI_PAGE), times: 5 }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      expect(stateRetries(result, "ExtractPlaylistBatch")).toBe(1);
    });

    it("waits in the state machine exactly as long as a 429's Retry-After asks, then goes on", async () => {
      const dataDir = newDataDir();
      const result = await run({
        dataDir,
        beforeRun: enqueue({ status: 429, retryAfterSeconds: 120, path: playlistPath(MULTI_PAGE) }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      expect(result.sleeps, "the Lambda never sleeps a long Retry-After").toEqual([]);
      expect(rateLimitWaits(result)).toEqual([120]);
    });

    it("waits out a rate limit of the artists step the same way", async () => {
      const dataDir = newDataDir();
      const result = await run({
        dataDir,
        beforeRun: enqueue({ status: 429, retryAfterSeconds: 30, path: /^\/v1\/artists/ }),
      });
      await expectSameDataAsCleanRun(result, dataDir);
      const waits = result.events.filter(
        (e) => e.phase === "entered" && e.state === "WaitForArtistsRateLimit",
      );
      expect(waits).toHaveLength(1);
      expect(result.sleeps).toEqual([]);
    });
  });

  describe("faults that fail the run", () => {
    /** A folder holding the clean run's data, as if this hour had already been taken once. */
    const copyOfCleanRun = () => {
      const dataDir = newDataDir();
      cpSync(cleanDir, dataDir, { recursive: true });
      return dataDir;
    };

    it("fails at once with SpotifyRateLimitedError when a 429 asks for a day's wait, keeping the hour's earlier data", async () => {
      const dataDir = copyOfCleanRun();
      // One playlist, so no other iteration is still writing when the Map fails.
      const result = await run({
        dataDir,
        input: { snapshot: SNAPSHOT, playlists: [MULTI_PAGE] },
        beforeRun: enqueue({
          status: 429,
          retryAfterSeconds: 86_400,
          path: playlistPath(MULTI_PAGE),
          times: 50,
        }),
      });
      expect(result.status).toBe("FAILED");
      // The Map Run failed (as AWS reports it); its failed child names the error.
      expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
      expect(result.mapRunFailure?.error).toBe("SpotifyRateLimitedError");
      expect(result.mapRunFailure?.cause).toContain("asked to wait 86400 s, more than the 900 s");
      expect(requestsTo(result, playlistPath(MULTI_PAGE))).toHaveLength(1);
      expect(rateLimitWaits(result)).toEqual([]);
      expect(result.sleeps).toEqual([]);
      // Nothing lost, and the snapshot is free again for a rerun.
      expect(await bucketFingerprints(dataDir)).toEqual(cleanFiles);
    });

    it("fails with SpotifyRateLimitedError after four waits when the rate limit persists", async () => {
      const dataDir = copyOfCleanRun();
      const result = await run({
        dataDir,
        input: { snapshot: SNAPSHOT, playlists: [MULTI_PAGE] },
        beforeRun: enqueue({
          status: 429,
          retryAfterSeconds: 60,
          path: playlistPath(MULTI_PAGE),
          times: 50,
        }),
      });
      expect(result.status).toBe("FAILED");
      // The Map Run failed (as AWS reports it); its failed child names the error.
      expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
      expect(result.mapRunFailure?.error).toBe("SpotifyRateLimitedError");
      expect(result.mapRunFailure?.cause).toContain(
        "asked to wait 60 s, still rate limited after 4 waits",
      );
      expect(requestsTo(result, playlistPath(MULTI_PAGE))).toHaveLength(5);
      expect(rateLimitWaits(result)).toEqual([60, 60, 60, 60]);
      expect(result.sleeps).toEqual([]);
      expect(await bucketFingerprints(dataDir)).toEqual(cleanFiles);
    });

    for (const answer of ["json", "noRetryAfter", "empty"] as const) {
      it(`stops at once with SpotifyRateLimitedError when the app's quota is spent (${answer} 429), keeping the hour's earlier data`, async () => {
        const dataDir = copyOfCleanRun();
        const result = await run({
          dataDir,
          input: { snapshot: SNAPSHOT, playlists: [MULTI_PAGE] },
          // Another app of the same developer spent the shared quota: the first request is refused.
          emulator: { quota: { requests: 0, windowMs: 30_000, answer } },
        });
        expect(result.status).toBe("FAILED");
        // The Map Run failed (as AWS reports it); its failed child names the error.
        expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
        expect(result.mapRunFailure?.error).toBe("SpotifyRateLimitedError");
        expect(result.mapRunFailure?.cause).toContain(
          "the app's request quota is spent (QUOTA_EXCEEDED",
        );
        expect(result.mapRunFailure?.cause).toContain("the run stops at once");
        // No pointless retry: one refused request, no wait, no sleep.
        expect(result.requests.filter((r) => r.fault === "quota")).toHaveLength(1);
        expect(rateLimitWaits(result)).toEqual([]);
        expect(result.sleeps).toEqual([]);
        expect(await bucketFingerprints(dataDir)).toEqual(cleanFiles);
      });
    }

    it("fails with SpotifyTransientError when a 5xx outlasts every in-process and state attempt", async () => {
      const dataDir = copyOfCleanRun();
      const result = await run({
        dataDir,
        input: { snapshot: SNAPSHOT, playlists: [MULTI_PAGE] },
        beforeRun: enqueue({ status: 502, path: playlistPath(MULTI_PAGE), times: 100 }),
      });
      expect(result.status).toBe("FAILED");
      // The Map Run failed (as AWS reports it); its failed child names the error.
      expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
      expect(result.mapRunFailure?.error).toBe("SpotifyTransientError");
      expect(result.mapRunFailure?.cause).toContain("502");
      // 4 in-process attempts in each of 1 + 3 state attempts.
      expect(requestsTo(result, playlistPath(MULTI_PAGE))).toHaveLength(16);
      expect(withoutLease(await bucketFingerprints(dataDir))).toEqual(cleanFiles);
    });

    it.each([
      ["items", 403, playlistPath(SAMPLE_IDS.twoPagePlaylist, "items")],
      ["metadata", 404, playlistPath(SAMPLE_IDS.twoPagePlaylist)],
    ] as const)(
      "records a playlist whose %s answers %i, writes and validates the others, then fails with PlaylistUnavailableError listing it",
      async (_, status, path) => {
        const dataDir = newDataDir();
        const result = await run({ dataDir, beforeRun: enqueue({ status, path }) });
        expect(result.status).toBe("FAILED");
        expect(result.error).toBe("PlaylistUnavailableError");
        expect(result.failedState?.name).toBe("PlaylistsUnavailable");
        expect(result.cause).toContain(SAMPLE_IDS.twoPagePlaylist);
        expect(result.cause).toContain(String(status));
        const { raw } = await bucketFingerprints(dataDir);
        for (const other of PLAYLISTS.filter((p) => p !== SAMPLE_IDS.twoPagePlaylist)) {
          expect(raw[manifestOf(other)]).toBe(cleanFiles.raw[manifestOf(other)]);
        }
        const refused = JSON.parse(
          readFileSync(
            join(localPaths(dataDir).raw, manifestOf(SAMPLE_IDS.twoPagePlaylist)),
            "utf8",
          ),
        ) as { unavailable: { status: number } };
        expect(refused.unavailable.status).toBe(status);
        expect(existsSync(localPaths(dataDir).lake), "the others' tables are written").toBe(true);
      },
    );

    it("keeps a playlist's earlier complete extraction of the hour, and the lake, when it now answers 404", async () => {
      const dataDir = copyOfCleanRun();
      const result = await run({
        dataDir,
        beforeRun: enqueue({ status: 404, path: playlistPath(SAMPLE_IDS.quirksPlaylist) }),
      });
      // The hour's data was read completely: the rerun gives the same snapshot.
      expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
      const files = await bucketFingerprints(dataDir);
      const quirksPrefix = `${SNAPSHOT_PREFIX}/playlist_id=${SAMPLE_IDS.quirksPlaylist}/`;
      const ofQuirks = (raw: Record<string, string>) =>
        Object.entries(raw).filter(([key]) => key.startsWith(quirksPrefix));
      expect(ofQuirks(files.raw)).toEqual(ofQuirks(cleanFiles.raw));
      // Its body (which embeds its only page of entries) and the manifest committing it.
      expect(ofQuirks(files.raw).map(([key]) => key.slice(quirksPrefix.length))).toEqual([
        "_manifest.json",
        "playlist.json",
      ]);
      expect(files.lake).toEqual(cleanFiles.lake);
    });

    // The refused playlist's earlier extraction is kept, so its artists must stay in the
    // hour's artists step too, or a reprocess of the whole hour would miss them.
    it("rebuilds the clean lake in reprocess mode after a rerun in which one playlist was refused", async () => {
      const dataDir = copyOfCleanRun();
      const rerun = await run({
        dataDir,
        beforeRun: enqueue({ status: 404, path: playlistPath(SAMPLE_IDS.quirksPlaylist) }),
      });
      expect(rerun.status).toBe("SUCCEEDED");
      const reprocessed = await run({ dataDir, input: { ...INPUT, mode: "reprocess" } });
      expect(reprocessed.status, `${reprocessed.error}: ${reprocessed.cause}`).toBe("SUCCEEDED");
      expect((await bucketFingerprints(dataDir)).lake).toEqual(cleanFiles.lake);
    });
  });
});
