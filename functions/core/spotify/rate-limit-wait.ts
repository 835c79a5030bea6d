// When Spotify answers 429 with a Retry-After longer than the client may sleep in process,
// the wait moves to the state machine: the step returns how long to wait, a Wait state waits
// exactly that long, and the step runs again; a spent quota (QUOTA_EXCEEDED) ends the run at
// once, as no wait of an hourly run can help it. Bounded twice: a single wait longer than
// MAX_WAIT_SECONDS (Spotify has asked for a whole day) and more than MAX_WAITS waits in a row
// end the run with SpotifyRateLimitedError, so an hourly pipeline never hangs for a day.

import { SpotifyRateLimitedError } from "../../commons/errors";

export const MAX_RATE_LIMIT_WAITS = 4;
export const MAX_RATE_LIMIT_WAIT_SECONDS = 15 * 60;

/** A step's answer when the state machine should wait before running it again. */
export interface RateLimitWait {
  rateLimited: true;
  retryAfterSeconds: number;
}

/** Either the wait to take, or the error that ends the run (never a silent give-up). */
export function planRateLimitWait(
  error: SpotifyRateLimitedError,
  waitsSoFar: number,
): RateLimitWait {
  const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds));
  if (error.quotaExceeded) {
    throw new SpotifyRateLimitedError(
      error.retryAfterSeconds,
      true,
      "the run stops at once (waiting and retrying early only lengthen a spent quota); " +
        "rerun or redrive later, when the quota's rolling window has passed",
    );
  }
  if (seconds > MAX_RATE_LIMIT_WAIT_SECONDS) {
    throw new SpotifyRateLimitedError(
      error.retryAfterSeconds,
      error.quotaExceeded,
      `more than the ${MAX_RATE_LIMIT_WAIT_SECONDS} s the pipeline waits; rerun or redrive later`,
    );
  }
  if (waitsSoFar >= MAX_RATE_LIMIT_WAITS) {
    throw new SpotifyRateLimitedError(
      error.retryAfterSeconds,
      error.quotaExceeded,
      `still rate limited after ${waitsSoFar} waits; rerun or redrive later`,
    );
  }
  return { rateLimited: true, retryAfterSeconds: seconds };
}

/** The `rateLimitWaits` counter the state machine passes in: waits taken so far. */
export function readRateLimitWaits(value: unknown): number {
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : 0;
}

/**
 * Runs a step; a rate limit it meets becomes a RateLimitWait for the state machine, or, once
 * the waits are used up, the final error (after `onGiveUp`, e.g. releasing the snapshot lease).
 */
export async function orWaitForRateLimit<T>(
  waitsSoFar: number,
  step: () => Promise<T>,
  onGiveUp: () => Promise<void>,
): Promise<T | RateLimitWait> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof SpotifyRateLimitedError)) throw error;
    try {
      return planRateLimitWait(error, waitsSoFar);
    } catch (final) {
      await onGiveUp();
      throw final;
    }
  }
}
