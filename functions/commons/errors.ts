// The pipeline's one error vocabulary. Each class's `name` is exactly the string the state
// machine matches in `ErrorEquals` or raises in a Fail state, so code, ASL, alarms and the
// README all speak of the same failures. Names are string literals (not `constructor.name`)
// because the Lambda bundles are minified.

/** Base of every error the pipeline raises on purpose. */
export abstract class PipelineError extends Error {
  abstract override readonly name: PipelineErrorName;
  /** True when retrying the same step later can succeed without anyone changing anything. */
  abstract readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The execution input is malformed; `field` names the offending input field. */
export class InvalidInputError extends PipelineError {
  override readonly name = "InvalidInputError";
  readonly transient = false;
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid execution input: ${field} ${problem}`);
  }
}

/** A required setting (environment variable, secret field) is missing or malformed. */
export class ConfigurationError extends PipelineError {
  override readonly name = "ConfigurationError";
  readonly transient = false;
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Configuration error: ${setting} ${problem}`);
  }
}

/** Spotify refused the credentials (bad client id/secret or revoked refresh token). */
export class SpotifyAuthError extends PipelineError {
  override readonly name = "SpotifyAuthError";
  readonly transient = false;
}

/**
 * Spotify refused the user's refresh token with `invalid_grant`: the authorization expired
 * (refresh tokens last six months since 2026) or was revoked. Retrying cannot help; only a
 * new authorization can, and the message says how.
 */
export class SpotifyAuthorizationExpiredError extends PipelineError {
  override readonly name = "SpotifyAuthorizationExpiredError";
  readonly transient = false;
}

/**
 * Spotify asked us to wait longer than a Lambda should sleep. The extract steps turn it into
 * a wait of the state machine (see core/spotify/rate-limit-wait.ts): ExtractPlaylist as a
 * SpotifyRateLimitWaitRequested, ExtractArtists as its result; thrown out of a step, it
 * means the waits are used up, or the app's quota is spent (`quotaExceeded`: a quota 429,
 * or one without Retry-After), and the run fails.
 */
export class SpotifyRateLimitedError extends PipelineError {
  override readonly name = "SpotifyRateLimitedError";
  readonly transient = true;
  constructor(
    readonly retryAfterSeconds: number,
    readonly quotaExceeded: boolean,
    /** Why the run gives up, when it does. */
    verdict?: string,
  ) {
    super(
      (quotaExceeded
        ? "Spotify rate limit: the app's request quota is spent (QUOTA_EXCEEDED" +
          (retryAfterSeconds > 0 ? `, Retry-After ${retryAfterSeconds} s)` : ", no Retry-After)")
        : `Spotify rate limit: asked to wait ${retryAfterSeconds} s`) +
        (verdict ? `, ${verdict}` : ""),
    );
  }
}

/**
 * Not a failure: Spotify asked ExtractPlaylist for a longer wait than a Lambda should sleep,
 * and the state machine is to take it. A Catch on this name leads to a Wait state, so the
 * Map's normal path stays one state per playlist. Lambda hands Step Functions only the name
 * and the message, so the message is the JSON the state machine reads: how long to wait and
 * the waits taken once this one is (the step caps them, see core/spotify/rate-limit-wait.ts).
 */
export class SpotifyRateLimitWaitRequested extends PipelineError {
  override readonly name = "SpotifyRateLimitWaitRequested";
  readonly transient = true;
  constructor(
    readonly retryAfterSeconds: number,
    readonly rateLimitWaits: number,
  ) {
    super(JSON.stringify({ retryAfterSeconds, rateLimitWaits }));
  }
}

/** A 5xx, timeout, reset connection or unreadable body that persisted through in-process retries. */
export class SpotifyTransientError extends PipelineError {
  override readonly name = "SpotifyTransientError";
  readonly transient = true;
}

/** Spotify answered a request with a non-transient error that is not about one playlist. */
export class SpotifyRequestError extends PipelineError {
  override readonly name = "SpotifyRequestError";
  readonly transient = false;
  constructor(
    readonly status: number,
    readonly endpoint: string,
    reason: string,
  ) {
    super(`Spotify ${endpoint} answered ${status}: ${reason}`);
  }
}

/**
 * A playlist cannot be read (403/404): it is recorded in the lake as unavailable, the others
 * go on, and the run fails naming it after validation (unless the stage only warns).
 */
export class PlaylistUnavailableError extends PipelineError {
  override readonly name = "PlaylistUnavailableError";
  readonly transient = false;
  constructor(
    readonly playlistIds: readonly string[],
    detail: string,
    /** Spotify's answer, when one playlist's request was refused: its status and message. */
    readonly answer?: { status: number; reason: string },
  ) {
    super(`Playlist unavailable: ${detail}`);
  }
}

/** `reprocess` was asked for, but the raw data of the snapshot is not (completely) stored. */
export class RawSnapshotMissingError extends PipelineError {
  override readonly name = "RawSnapshotMissingError";
  readonly transient = false;
}

/** A stored raw object is not what extraction writes (corrupt, truncated, wrong shape). */
export class RawDataError extends PipelineError {
  override readonly name = "RawDataError";
  readonly transient = false;
}

/**
 * Another execution is writing the same snapshot right now. Two executions must never
 * interleave their writes; the message names the holder and when its lease runs out.
 */
export class SnapshotLockedError extends PipelineError {
  override readonly name = "SnapshotLockedError";
  readonly transient = false;
}

/** The Glue crawler (or its local stand-in) finished, but not successfully. */
export class CrawlerFailedError extends PipelineError {
  override readonly name = "CrawlerFailedError";
  readonly transient = false;
}

/** An Athena (or local DuckDB) validation query failed or was cancelled. */
export class QueryFailedError extends PipelineError {
  override readonly name = "QueryFailedError";
  readonly transient = false;
}

/** One or more data-quality checks failed; the message lists each one with its numbers. */
export class DataQualityError extends PipelineError {
  override readonly name = "DataQualityError";
  readonly transient = false;
}

/**
 * Every error name the code or the ASL may use: one per class above, then the names only the
 * state machine raises (Fail states after a bounded loop runs out).
 */
export const PIPELINE_ERROR_NAMES = [
  "InvalidInputError",
  "ConfigurationError",
  "SpotifyAuthError",
  "SpotifyAuthorizationExpiredError",
  "SpotifyRateLimitedError",
  "SpotifyRateLimitWaitRequested",
  "SpotifyTransientError",
  "SpotifyRequestError",
  "PlaylistUnavailableError",
  "RawSnapshotMissingError",
  "RawDataError",
  "SnapshotLockedError",
  "CrawlerFailedError",
  "QueryFailedError",
  "DataQualityError",
  "CrawlerTimeoutError",
  "ValidationTimeoutError",
] as const;

export type PipelineErrorName = (typeof PIPELINE_ERROR_NAMES)[number];

/** A class whose instances carry exactly the name `N`. */
type ErrorClassNamed<N extends PipelineErrorName> = abstract new (
  ...args: never
) => PipelineError & { readonly name: N };

/**
 * Where each name comes from: its class, or a Fail state of the state machine. The type
 * makes the vocabulary complete both ways: a listed name without its entry, an entry whose
 * class carries another name, or a class whose name is not listed does not compile.
 */
export const PIPELINE_ERROR_ORIGINS = {
  InvalidInputError,
  ConfigurationError,
  SpotifyAuthError,
  SpotifyAuthorizationExpiredError,
  SpotifyRateLimitedError,
  SpotifyRateLimitWaitRequested,
  SpotifyTransientError,
  SpotifyRequestError,
  PlaylistUnavailableError,
  RawSnapshotMissingError,
  RawDataError,
  SnapshotLockedError,
  CrawlerFailedError,
  QueryFailedError,
  DataQualityError,
  CrawlerTimeoutError: "state machine",
  ValidationTimeoutError: "state machine",
} as const satisfies { readonly [N in PipelineErrorName]: ErrorClassNamed<N> | "state machine" };

/** Lambda errors reach Step Functions as `{"errorType", "errorMessage"}`: keep the message. */
export function lambdaErrorMessage(cause: string | undefined): string {
  if (!cause) return "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: a Fail state's Cause is the message itself
  }
  return cause;
}
