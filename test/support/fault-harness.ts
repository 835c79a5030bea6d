// Runs the real local pipeline (runPipelineLocally) against a fresh Spotify emulator with
// everything a fault test needs to observe: the emulator's request log, every state event, the
// in-process sleeps the Spotify client asked for (recorded, never slept), and the lake and raw
// folders' fingerprints. The client's sleep is injected, so no retry or Retry-After ever waits.

import type {
  LocalPipelineOptions,
  LocalRunResult,
  StateProgress,
} from "../../local/local-pipeline";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { localPaths, runPipelineLocally } from "../../local/local-pipeline";
import { defaultSamplePlaylists } from "../../local/spotify-emulator/sample-data";
import type {
  RequestLogEntry,
  SpotifyEmulator,
  SpotifyEmulatorOptions,
} from "../../local/spotify-emulator/server";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import type { SpotifyClientSettings } from "../../functions/commons/spotify";
import { fingerprintFolder } from "./fingerprint";

export interface HarnessRun extends LocalRunResult {
  /** The emulator's request log, in arrival order (never holds secrets). */
  requests: RequestLogEntry[];
  events: StateProgress[];
  /** Every in-process sleep the Spotify clients asked for, in ms; none was actually slept. */
  sleeps: number[];
  /** The emulator's fault queue applications left unused when the run ended. */
  faultsPending: number;
}

export type HarnessOptions = {
  dataDir: string;
  input?: unknown;
  emulator?: SpotifyEmulatorOptions;
  defaultPlaylists?: readonly string[];
  startTime?: Date;
  /** Spotify client options (timeouts, attempts); `sleep` is always the recording no-op. */
  spotify?: Omit<SpotifyClientSettings, "sleep" | "apiBaseUrl" | "accountsBaseUrl">;
  /** What the pipeline is given instead of the emulator's credentials (e.g. a wrong secret). */
  pipelineCredentials?: { clientId?: string; clientSecret?: string; refreshToken?: string };
  /** Enqueue faults here; runs after the emulator listens and before the execution starts. */
  beforeRun?: (emulator: SpotifyEmulator) => void;
} & Pick<
  LocalPipelineOptions,
  | "executionName"
  | "aroundTask"
  | "redrive"
  | "credentialsStore"
  | "crawl"
  | "unavailablePlaylists"
  | "adapters"
  | "leaseHolder"
>;

export async function runAgainstEmulator(options: HarnessOptions): Promise<HarnessRun> {
  const emulator = await startSpotifyEmulator({
    pagingBaseUrl: "https://api.spotify.com/v1",
    ...options.emulator,
  });
  const sleeps: number[] = [];
  const events: StateProgress[] = [];
  try {
    options.beforeRun?.(emulator);
    const result = await runPipelineLocally({
      dataDir: options.dataDir,
      input: "input" in options ? options.input : {},
      spotify: {
        ...options.spotify,
        appMode: emulator.mode,
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
        credentials: { ...emulator.credentials, ...options.pipelineCredentials },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
      defaultPlaylists: options.defaultPlaylists ?? defaultSamplePlaylists(emulator.mode),
      ...(options.startTime ? { startTime: options.startTime } : {}),
      ...(options.executionName ? { executionName: options.executionName } : {}),
      ...(options.aroundTask ? { aroundTask: options.aroundTask } : {}),
      ...(options.redrive ? { redrive: options.redrive } : {}),
      ...(options.credentialsStore ? { credentialsStore: options.credentialsStore } : {}),
      ...(options.crawl ? { crawl: options.crawl } : {}),
      ...(options.unavailablePlaylists
        ? { unavailablePlaylists: options.unavailablePlaylists }
        : {}),
      ...(options.adapters ? { adapters: options.adapters } : {}),
      ...(options.leaseHolder ? { leaseHolder: options.leaseHolder } : {}),
      onStateEvent: (event) => events.push(event),
    });
    return {
      ...result,
      requests: [...emulator.requestLog],
      events,
      sleeps,
      faultsPending: emulator.faults.pending,
    };
  } finally {
    await emulator.close();
  }
}

/** Fingerprints of the raw and lake folders, each keyed by path inside its bucket. */
export async function bucketFingerprints(
  dataDir: string,
): Promise<{ raw: Record<string, string>; lake: Record<string, string> }> {
  const paths = localPaths(dataDir);
  return { raw: await fingerprintFolder(paths.raw), lake: await fingerprintFolder(paths.lake) };
}

/** The output of a successful run. */
export type RunOutput = PipelineOutput;

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** rows + skipped + set aside, which must equal `entries.read` in every successful run. */
export function entriesAccountedFor(output: RunOutput): number {
  const { entries } = output.transform;
  return entries.rows + sum(entries.skipped) + sum(entries.quarantined);
}

export const isTokenRequest = (r: RequestLogEntry) => r.path === "/api/token";

/** `/v1/playlists/{id}` (metadata) or `/v1/playlists/{id}/items` of one playlist. */
export const playlistPath = (playlistId: string, sub?: "items") =>
  new RegExp(`^/v1/playlists/${playlistId}${sub ? `/${sub}` : ""}$`);
