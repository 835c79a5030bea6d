// What ExtractPlaylist and ExtractArtists both do around their extraction, in one place that
// is neither handler (handlers never import each other) and knows nothing of AWS, so it lives
// in the core with the logger and the secret writer injected: one Spotify client per
// credentials for the life of the container, the client's warnings and requests on the
// structured logger, the snapshot lease around the writes, a long rate limit turned into a
// wait of the state machine, one access token shared by the run's invocations through the
// credentials store, and a warning when the user's authorization is about to expire.

import type { ExtractStepDeps } from "../../commons/extract-deps";
import type { SpotifyClientSettings, SpotifyCredentials, SpotifyPort } from "../../commons/spotify";
import type { RunRef } from "../run";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../snapshot-lease";
import type { RateLimitWait } from "../spotify/rate-limit-wait";
import { orWaitForRateLimit, readRateLimitWaits } from "../spotify/rate-limit-wait";
import { spotifySession } from "../spotify/session";
import {
  AUTHORIZATION_EXPIRY_LOG_MESSAGE,
  authorizationExpiryWarning,
} from "../spotify/authorization-expiry";

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
  const settings = loggedTo(logger, deps.spotifySettings);
  const spotifyFor = spotifySession(
    deps.credentialsStore
      ? { ...settings, sharedToken: { store: deps.credentialsStore, leaseStore: deps.rawStore } }
      : settings,
  );
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
        writeUnderSnapshotLease(
          deps.rawStore,
          snapshot,
          executionId,
          now,
          () => extract(spotify),
          deps.leaseLiveness,
        ),
      () => releaseSnapshotLease(deps.rawStore, snapshot, executionId),
    );
    reportUnstoredRotation(deps, credentials, spotify.rotatedRefreshToken, logger);
    return result;
  };
}

/**
 * The user's authorization expires within 30 days: a warning log line (counted by a metric
 * filter in AWS), and the warning itself for the run summary. Undefined when all is well.
 */
export function warnOfAuthorizationExpiry(
  credentials: SpotifyCredentials,
  now: Date,
  logger: StepLogger,
): string | undefined {
  const expiry = authorizationExpiryWarning(credentials.authorizedAt, now);
  if (!expiry) return undefined;
  logger.warn(AUTHORIZATION_EXPIRY_LOG_MESSAGE, {
    expiresAt: expiry.expiresAt,
    daysLeft: expiry.daysLeft,
  });
  return expiry.warning;
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

/**
 * Spotify may hand out a new refresh token. With a credentials store it was stored before the
 * token that came with it was used (core/spotify/shared-token.ts); without one, say so.
 */
function reportUnstoredRotation(
  deps: ExtractStepDeps,
  credentials: SpotifyCredentials,
  rotated: string | undefined,
  logger: StepLogger,
): void {
  if (!rotated || rotated === credentials.refreshToken) return;
  if (deps.credentialsStore) logger.info("stored the refresh token Spotify rotated");
  else logger.warn("Spotify rotated the refresh token; store the new one in the Spotify secret");
}
