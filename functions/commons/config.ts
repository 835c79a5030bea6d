// Lambda configuration is read once, at load, so a missing setting fails the cold start
// with a message naming it rather than a confusing error halfway through a run.

import { ConfigurationError } from "./errors";
import type { SpotifyAppMode } from "./spotify";
import { SPOTIFY_APP_MODES } from "./spotify";

export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigurationError(name, "is not set");
  return value;
}

/** A comma-separated list; empty or unset gives []. Validation is the caller's. */
export function listEnv(name: string): string[] {
  return (process.env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** SPOTIFY_APP_MODE: the Spotify app's quota mode, "development" (the default) or "extended". */
export function spotifyAppModeEnv(): SpotifyAppMode {
  const value = process.env.SPOTIFY_APP_MODE?.trim() || "development";
  if (!(SPOTIFY_APP_MODES as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      "SPOTIFY_APP_MODE",
      `must be one of ${SPOTIFY_APP_MODES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as SpotifyAppMode;
}

/**
 * What a run does once it has recorded playlists Spotify refused (the stage setting
 * `unavailablePlaylists`): fail after validation, so alarms fire (the default), or only warn.
 */
export const UNAVAILABLE_PLAYLISTS_POLICIES = ["fail", "warn"] as const;
export type UnavailablePlaylistsPolicy = (typeof UNAVAILABLE_PLAYLISTS_POLICIES)[number];

/** UNAVAILABLE_PLAYLISTS, or a flag's value for it: "fail" (the default) or "warn". */
export function unavailablePlaylistsPolicy(
  value = process.env.UNAVAILABLE_PLAYLISTS?.trim() || "fail",
  name = "UNAVAILABLE_PLAYLISTS",
): UnavailablePlaylistsPolicy {
  if (!(UNAVAILABLE_PLAYLISTS_POLICIES as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      name,
      `must be one of ${UNAVAILABLE_PLAYLISTS_POLICIES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as UnavailablePlaylistsPolicy;
}
