// Which Spotify a local command talks to, decided by its flags alone: the emulator (the
// default), a replay of a recorded folder (`--replay`), or the real API (`--live`, and only
// then). Credentials in the environment never turn the first two into live calls; they are
// named as ignored. The credentials come from the environment (SPOTIFY_CLIENT_ID, ...) or
// the credentials file `npm run authorize` wrote; the emulator is seeded with that file's
// authorization when there is one, so the same file is exercised without any network.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { spotifyAppModeEnv } from "../functions/commons/config";
import { ConfigurationError } from "../functions/commons/errors";
import type {
  SpotifyAppMode,
  SpotifyClientSettings,
  SpotifyCredentials,
  SpotifyCredentialsStore,
} from "../functions/commons/spotify";
import { parseSpotifyCredentials } from "../functions/commons/spotify-credentials";
import { SpotifyClient } from "../functions/core/spotify/client";
import { credentialsPath, readCredentialsFile, writeCredentialsFile } from "./credentials-file";
import { defaultSamplePlaylists } from "./spotify-emulator/sample-data";
import { DEFAULT_CHANGE_RATE } from "./spotify-emulator/evolution";
import { startSpotifyEmulator } from "./spotify-emulator/server";

export interface TargetFlags {
  live: boolean;
  replay?: string;
  extendedQuota: boolean;
  /** `--credentials <file>`. */
  credentials?: string;
  /**
   * The snapshot hour a run takes: the sample catalogue is served as it stands then (it
   * evolves hour by hour, see spotify-emulator/evolution.ts). Unset: the sample as generated.
   */
  sampleHour?: string;
}

export interface SpotifyTarget {
  /** The run's first line: which Spotify it talks to. */
  label: string;
  /** Further lines: where the credentials came from, settings that were ignored. */
  notes: string[];
  spotify: SpotifyClientSettings & { credentials: SpotifyCredentials; appMode: SpotifyAppMode };
  /** The playlists to read when none are configured; undefined: the recording's (replay). */
  defaultPlaylists: readonly string[] | undefined;
  /**
   * Where a live run keeps what it learns (a rotated refresh token, the shared access token):
   * the credentials file it read them from. Undefined: held in memory for the run.
   */
  credentialsStore?: SpotifyCredentialsStore;
  close(): Promise<void>;
}

/** The credentials file as the run's store: a single-use refresh token Spotify rotated survives. */
function credentialsFileStore(path: string, initial: SpotifyCredentials): SpotifyCredentialsStore {
  let current = initial;
  return {
    load: async () => current,
    save: async (credentials) => {
      writeCredentialsFile(path, credentials);
      current = credentials;
    },
  };
}

/** A setting the user must fix; the CLI prints the message and exits 2. */
export class TargetRefused extends Error {
  override readonly name = "TargetRefused";
}

function environmentCredentials(): SpotifyCredentials | undefined {
  const env = process.env;
  if (!env.SPOTIFY_CLIENT_ID) return undefined;
  return parseSpotifyCredentials(
    {
      clientId: env.SPOTIFY_CLIENT_ID,
      clientSecret: env.SPOTIFY_CLIENT_SECRET || undefined,
      refreshToken: env.SPOTIFY_REFRESH_TOKEN || undefined,
      authorizedAt: env.SPOTIFY_AUTHORIZED_AT || undefined,
    },
    "the SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET/SPOTIFY_REFRESH_TOKEN environment",
  );
}

/** Refuses credentials the client would refuse (e.g. development mode without a user token). */
function checked(spotify: SpotifyTarget["spotify"]): SpotifyTarget["spotify"] {
  new SpotifyClient(spotify);
  return spotify;
}

export async function resolveSpotifyTarget(flags: TargetFlags): Promise<SpotifyTarget> {
  const file = credentialsPath(flags.credentials);
  if (flags.live) {
    if (flags.replay) throw new TargetRefused("--live and --replay exclude each other");
    const fromEnv = flags.credentials ? undefined : environmentCredentials();
    const credentials = fromEnv ?? readCredentialsFile(file);
    if (!credentials) {
      throw new TargetRefused(
        `--live needs credentials: run \`npm run authorize\` (writes ${file}), or set ` +
          "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (and SPOTIFY_REFRESH_TOKEN)",
      );
    }
    const appMode = flags.extendedQuota ? "extended" : spotifyAppModeEnv();
    return {
      label: `Spotify: live api.spotify.com (${appMode} mode)`,
      notes: [`Credentials: ${fromEnv ? "the environment (SPOTIFY_CLIENT_ID, ...)" : file}`],
      spotify: checked({ appMode, credentials }),
      ...(fromEnv ? {} : { credentialsStore: credentialsFileStore(file, credentials) }),
      defaultPlaylists: (process.env.SPOTIFY_PLAYLIST_IDS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      close: async () => {},
    };
  }

  if (flags.replay && !existsSync(flags.replay)) {
    throw new TargetRefused(`--replay: no such folder ${flags.replay}`);
  }
  const notes: string[] = [];
  if (process.env.SPOTIFY_CLIENT_ID) {
    notes.push("SPOTIFY_CLIENT_ID is set and ignored: only --live calls the real API");
  }
  const stored = readCredentialsFile(file);
  const seed = stored?.refreshToken ? stored : undefined;
  if (seed) notes.push(`Credentials: ${file} (the emulator plays the app and user they name)`);
  const mode = flags.extendedQuota ? "extended" : "development";
  const emulator = await startSpotifyEmulator({
    ...(flags.replay ? { replayDir: resolve(flags.replay) } : {}),
    ...(flags.sampleHour && !flags.replay
      ? { evolution: { hour: flags.sampleHour, changeRate: sampleChangeRateEnv() } }
      : {}),
    mode,
    // Links as real Spotify writes them, so raw objects do not depend on the local port.
    pagingBaseUrl: "https://api.spotify.com/v1",
    ...(seed
      ? {
          credentials: {
            clientId: seed.clientId,
            refreshToken: seed.refreshToken!,
            ...(seed.clientSecret ? { clientSecret: seed.clientSecret } : {}),
          },
          pkceRefreshToken: !seed.clientSecret,
        }
      : {}),
  });
  const credentials: SpotifyCredentials = seed ?? emulator.credentials;
  try {
    return {
      label: flags.replay
        ? `Spotify: replay ${flags.replay} (local emulator at ${emulator.url})`
        : `Spotify: emulator (sample catalogue, ${mode} mode) at ${emulator.url}`,
      notes,
      spotify: checked({
        appMode: emulator.mode,
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
        credentials,
      }),
      defaultPlaylists: flags.replay ? undefined : defaultSamplePlaylists(mode),
      close: () => emulator.close(),
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

/** The flags that choose which Spotify a command talks to (see spotify-target.ts). */
export const TARGET_OPTIONS = {
  replay: { type: "string" },
  live: { type: "boolean", default: false },
  "extended-quota": { type: "boolean", default: false },
  credentials: { type: "string" },
} as const;

export type TargetValues = {
  replay?: string | undefined;
  live?: boolean | undefined;
  "extended-quota"?: boolean | undefined;
  credentials?: string | undefined;
};

/**
 * SAMPLE_CHANGE_RATE: the share of the sample's playlists that change each hour (0 to 1,
 * default 0.1).
 */
function sampleChangeRateEnv(): number {
  const text = process.env.SAMPLE_CHANGE_RATE?.trim();
  const rate = text ? Number(text) : DEFAULT_CHANGE_RATE;
  if (!(rate >= 0 && rate <= 1)) {
    throw new TargetRefused(`SAMPLE_CHANGE_RATE must be a number from 0 to 1, got ${text}`);
  }
  return rate;
}

/** The target, or the exit code after printing why it cannot be used. */
export async function spotifyTargetOrExit(
  values: TargetValues,
  sampleHour?: string,
): Promise<SpotifyTarget | number> {
  try {
    return await resolveSpotifyTarget({
      ...(sampleHour ? { sampleHour } : {}),
      live: values.live ?? false,
      extendedQuota: values["extended-quota"] ?? false,
      ...(values.replay ? { replay: values.replay } : {}),
      ...(values.credentials ? { credentials: values.credentials } : {}),
    });
  } catch (error) {
    if (error instanceof TargetRefused || error instanceof ConfigurationError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
