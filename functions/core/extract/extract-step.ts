// What ExtractPlaylist and ExtractArtists both do around their extraction, in one place that
// is neither handler (handlers never import each other) and knows nothing of AWS, so it lives
// in the core with the logger and the secret writer injected: one Spotify client per
// credentials for the life of the container, the client's warnings and requests on the
// structured logger, the snapshot lease around the writes, a long rate limit turned into a
// wait of the state machine, and a refresh token Spotify rotated written back.

import type { ExtractStepDeps } from "../../commons/extract-deps";
import type { SpotifyClientSettings, SpotifyCredentials, SpotifyPort } from "../../commons/spotify";
import type { RunRef } from "../run";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../snapshot-lease";
import type { RateLimitWait } from "../spotify/rate-limit-wait";
import { orWaitForRateLimit, readRateLimitWaits } from "../spotify/rate-limit-wait";
import { spotifySession } from "../spotify/session";

/** The part of a structured logger (e.g. Powertools Logger) the extract steps use. */
export interface StepLogger {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** One invocation of an extract step, as its handler read it from the event and context. */
export interface ExtractInvocation {
  run: RunRef;
  credentials: SpotifyCredentials;
  /** The `rateLimitWaits` counter the state machine passed in, unchecked. */
  rateLimitWaits: unknown;
}

/**
 * The runner of one extract step: `extract` runs under the snapshot lease with the session's
 * client; a rate limit it meets becomes the wait to take (or, once the waits are used up,
 * the final error after the lease is released).
 */
export function createExtractStep(deps: ExtractStepDeps, logger: StepLogger) {
  const spotifyFor = spotifySession(loggedTo(logger, deps.spotifySettings));
  return async function runExtractStep<T>(
    invocation: ExtractInvocation,
    extract: (spotify: SpotifyPort) => Promise<T>,
  ): Promise<T | RateLimitWait> {
    const { run, credentials } = invocation;
    const { snapshot, executionId } = run;
    const spotify = spotifyFor(credentials);
    const now = (deps.now ?? (() => new Date()))();
    const result = await orWaitForRateLimit(
      readRateLimitWaits(invocation.rateLimitWaits),
      () =>
        writeUnderSnapshotLease(deps.rawStore, snapshot, executionId, now, () => extract(spotify)),
      () => releaseSnapshotLease(deps.rawStore, snapshot, executionId),
    );
    await keepRotatedRefreshToken(deps, credentials, spotify.rotatedRefreshToken, logger);
    return result;
  };
}

/** The client's warnings and request events go to the logger, and still to any hooks given. */
function loggedTo(logger: StepLogger, settings: SpotifyClientSettings = {}): SpotifyClientSettings {
  return {
    ...settings,
    onWarning: (message, details) => {
      logger.warn(message, details);
      settings.onWarning?.(message, details);
    },
    onRequest: (info) => {
      // URLs carry no secret (the token travels in a header), so the whole event is logged.
      logger.debug("Spotify request", { ...info });
      settings.onRequest?.(info);
    },
  };
}

/** Spotify may hand out a new refresh token; the secret must then hold it, or the old one dies. */
async function keepRotatedRefreshToken(
  deps: ExtractStepDeps,
  credentials: SpotifyCredentials,
  rotated: string | undefined,
  logger: StepLogger,
): Promise<void> {
  if (!rotated || rotated === credentials.refreshToken) return;
  if (deps.saveRotatedCredentials) {
    await deps.saveRotatedCredentials({ ...credentials, refreshToken: rotated });
    logger.info("stored the refresh token Spotify rotated");
  } else {
    logger.warn("Spotify rotated the refresh token; store the new one in the Spotify secret");
  }
}
