// A local pipeline worker (bench/workers/e2e-run.ts, cost-run.ts) against a Spotify emulator
// this process serves, on a fresh data folder that is removed afterwards. The emulator's
// credentials reach the worker in its environment, never in its arguments.

import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { SpotifyAppMode } from "../../functions/commons/spotify";
import type { SpotifyCatalogue } from "../../local/spotify-emulator/types";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import type { LocalPipelineOptions, LocalRunResult } from "../../local/local-pipeline";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { runWorker, type WorkerResult } from "./child";

/** What every pipeline worker is given, besides its own arguments. */
export interface PipelineWorkerArgs {
  dataDir: string;
  apiBaseUrl: string;
  accountsBaseUrl: string;
  playlistIds: string[];
}

export async function runPipelineWorker<R>(
  name: string,
  options: {
    catalogue: SpotifyCatalogue;
    workDir: string;
    /** The data folder's name starts so. */
    label: string;
    args: object;
    env?: Record<string, string>;
    /** The emulator's app mode (default development). */
    mode?: SpotifyAppMode;
  },
): Promise<R & WorkerResult & { requests: number }> {
  const { catalogue } = options;
  const emulator = await startSpotifyEmulator({
    catalogue,
    pagingBaseUrl: "https://api.spotify.com/v1",
    ...(options.mode ? { mode: options.mode } : {}),
  });
  const dataDir = mkdtempSync(path.join(options.workDir, `${options.label}-`));
  try {
    const common: PipelineWorkerArgs = {
      dataDir,
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      playlistIds: catalogue.playlists.map((p) => p.playlist.id),
    };
    const result = await runWorker<R>(
      name,
      { ...common, ...options.args },
      {
        env: {
          ...options.env,
          BENCH_SPOTIFY_CLIENT_ID: emulator.credentials.clientId,
          BENCH_SPOTIFY_CLIENT_SECRET: emulator.credentials.clientSecret,
          BENCH_SPOTIFY_REFRESH_TOKEN: emulator.credentials.refreshToken,
        },
      },
    );
    // The emulator's count: every request the run made, whatever its kind.
    return { ...result, requests: emulator.requestLog.length };
  } finally {
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** In a worker: the emulator's credentials its parent put in the environment. */
export function benchSpotifyCredentials() {
  return {
    clientId: process.env.BENCH_SPOTIFY_CLIENT_ID ?? "",
    clientSecret: process.env.BENCH_SPOTIFY_CLIENT_SECRET ?? "",
    refreshToken: process.env.BENCH_SPOTIFY_REFRESH_TOKEN ?? "",
  };
}

/** The hour the e2e and scale sections run, and when its execution starts. */
export const BENCH_RUN_HOUR = {
  snapshot: "2026-11-21T17:00:00Z",
  startTime: "2026-11-21T17:04:31Z",
} as const;

/** A worker that runs one hour: the common arguments and that hour. */
export interface HourRunArgs extends PipelineWorkerArgs {
  snapshot: string;
  startTime: string;
}

/** The local pipeline's options for one hour against the parent's emulator. */
export function hourRunOptions(
  args: HourRunArgs,
  appMode?: SpotifyAppMode,
): Pick<LocalPipelineOptions, "dataDir" | "input" | "spotify" | "startTime"> {
  return {
    dataDir: args.dataDir,
    input: { snapshot: args.snapshot },
    spotify: {
      apiBaseUrl: args.apiBaseUrl,
      accountsBaseUrl: args.accountsBaseUrl,
      credentials: benchSpotifyCredentials(),
      ...(appMode ? { appMode } : {}),
    },
    startTime: new Date(args.startTime),
  };
}

/** What a pipeline worker reports of a run: its outcome, time, rows and checks. */
export interface PipelineRunSummary {
  status: string;
  error?: string;
  cause?: string;
  ms: number;
  entriesRead: number;
  rows: Record<string, number>;
  checks: number;
  failedChecks: string[];
}

export function summarizeRun(result: LocalRunResult, ms: number): PipelineRunSummary {
  const output = (result.output ?? {}) as Partial<PipelineOutput>;
  const checks = output.validation?.checks?.results ?? [];
  return {
    status: result.status,
    ...(result.error ? { error: result.error, cause: result.cause?.slice(0, 500) } : {}),
    ms,
    entriesRead: output.transform?.entries?.read ?? 0,
    rows: output.transform?.rows ?? {},
    checks: checks.length,
    failedChecks: checks.filter((c) => !c.passed).map((c) => c.check),
  };
}
