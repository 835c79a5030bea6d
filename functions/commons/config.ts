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

/** An environment variable that must be one of `values`; unset or blank gives `fallback`. */
function oneOfEnv<T extends string>(name: string, values: readonly T[], fallback: T): T {
  const value = process.env[name]?.trim() || fallback;
  if (!(values as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      name,
      `must be one of ${values.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/**
 * ARTIST_MAX_AGE_HOURS (ExtractArtists): stored artist details younger than this many hours
 * are used instead of asking Spotify again; unset gives 24. A whole number from 1 to 8760.
 */
export function artistMaxAgeHoursEnv(fallback = 24): number {
  const text = process.env.ARTIST_MAX_AGE_HOURS?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 8760) {
    throw new ConfigurationError(
      "ARTIST_MAX_AGE_HOURS",
      `must be a whole number of hours from 1 to 8760, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** SPOTIFY_APP_MODE: the Spotify app's quota mode, "development" (the default) or "extended". */
export function spotifyAppModeEnv(): SpotifyAppMode {
  return oneOfEnv("SPOTIFY_APP_MODE", SPOTIFY_APP_MODES, "development");
}

/** When the crawl step runs the crawler (CRAWL_POLICY of crawl-lake, `crawl` of a stage). */
export const CRAWL_POLICIES = ["on-schema-change", "every-run"] as const;
export type CrawlPolicy = (typeof CRAWL_POLICIES)[number];

/** CRAWL_POLICY: "on-schema-change" (the default) or "every-run". */
export function crawlPolicyEnv(): CrawlPolicy {
  return oneOfEnv("CRAWL_POLICY", CRAWL_POLICIES, "on-schema-change");
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

/** A whole number from `min` to `max`; unset or blank gives `fallback`. */
export function wholeNumberEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigurationError(
      name,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * EXTRACT_CONCURRENCY and EXTRACT_BATCH_SIZE (PrepareRun, the stage's `extractConcurrency` and
 * `extractBatchSize`): child executions of the Distributed Map at once (default 4, Spotify's
 * rolling window; at most 40 so a stage cannot outrun it by much) and playlists per child
 * (default 25; at most 100, so a batch's Lambda call stays within its timeout).
 */
export function extractSettingsEnv(): { extractConcurrency: number; extractBatchSize: number } {
  return {
    extractConcurrency: wholeNumberEnv("EXTRACT_CONCURRENCY", 4, 1, 40),
    extractBatchSize: wholeNumberEnv("EXTRACT_BATCH_SIZE", 25, 1, 100),
  };
}
