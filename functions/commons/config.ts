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

/** When the crawl step runs the crawler (CRAWL_POLICY of crawl-lake, `crawl` of a stage). */
export const CRAWL_POLICIES = ["on-schema-change", "every-run"] as const;
export type CrawlPolicy = (typeof CRAWL_POLICIES)[number];

/** CRAWL_POLICY: "on-schema-change" (the default) or "every-run". */
export function crawlPolicyEnv(): CrawlPolicy {
  const value = process.env.CRAWL_POLICY?.trim() || "on-schema-change";
  if (!(CRAWL_POLICIES as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      "CRAWL_POLICY",
      `must be one of ${CRAWL_POLICIES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as CrawlPolicy;
}
