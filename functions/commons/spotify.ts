// What the pipeline knows of Spotify whatever talks to it: the app's quota modes, the
// credentials the secret holds, the port the core extracts through (implemented by the HTTP
// client in core/spotify/client.ts, faked in tests) and the settings that client is built
// from. It lives in commons so configuration (commons/config.ts, infra/config.ts) and the
// Lambda wiring can name these without depending on the client itself.

import type { ConditionalObjectStore } from "./ports";

export const SPOTIFY_APP_MODES = ["development", "extended"] as const;
export type SpotifyAppMode = (typeof SPOTIFY_APP_MODES)[number];

/**
 * What the Spotify secret (and the local credentials file `npm run authorize` writes) holds, as
 * JSON. `refreshToken` is a user's authorization, which development-mode apps need to read
 * playlist items. `clientSecret` may be absent only for a PKCE authorization (the refresh grant
 * then sends the client id alone). `authorizedAt` (ISO 8601) is when the user consented:
 * Spotify's refresh tokens expire six months later. `scopes` are those Spotify granted.
 * Parsed by parseSpotifyCredentials (commons/spotify-credentials.ts).
 */
export interface SpotifyCredentials {
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
  authorizedAt?: string;
  scopes?: string[];
  /**
   * The access token the last refresh obtained and when it expires (ISO time), shared by every
   * extract Lambda of a run so that only one of them refreshes (core/spotify/shared-token.ts).
   */
  accessToken?: string;
  accessTokenExpiresAt?: string;
}

/**
 * The warning log line of a run whose user authorization expires within 30 days
 * (core/spotify/authorization-expiry.ts); a metric filter in AWS counts it and alarms
 * (infra/constructs/monitoring.ts), so both read it from here.
 */
export const AUTHORIZATION_EXPIRY_LOG_MESSAGE = "Spotify authorization expires soon";

/**
 * Where the credentials are kept between invocations (AWS: the Spotify secret; locally: the
 * runtime's store): read fresh, not from a cache, and written before a rotated refresh
 * token is used.
 */
export interface SpotifyCredentialsStore {
  load(): Promise<SpotifyCredentials>;
  save(credentials: SpotifyCredentials): Promise<void>;
}

/** The scopes the pipeline asks a user for: reading their private and collaborative playlists. */
export const SPOTIFY_SCOPES = ["playlist-read-private", "playlist-read-collaborative"] as const;

/** One API response, as received. */
export interface SpotifyResponse {
  /** The request URL (carries no secret: the token travels in a header). */
  url: string;
  /**
   * The same request on the public API (https://api.spotify.com/v1/...), whatever base was
   * configured: what raw manifests record, so a replay against a local emulator on any port
   * writes the same bytes as the run it replays.
   */
  canonicalUrl: string;
  status: number;
  /** The exact bytes Spotify sent. */
  body: Uint8Array;
  json: unknown;
}

/** What the extraction needs of a Spotify client. */
export interface SpotifyPort {
  /** `GET /playlists/{id}`: name, owner, snapshot_id, followers, item total. */
  getPlaylist(playlistId: string): Promise<SpotifyResponse>;
  /**
   * Every page of `GET /playlists/{id}/items`, in order; given the first page the playlist
   * object embedded (its `items` paging object), the pages after it only.
   */
  playlistItemPages(
    playlistId: string,
    embeddedFirstPage?: unknown,
  ): AsyncGenerator<SpotifyResponse>;
  /** Artists by id, in input order; a 404 for one artist comes back with status 404. */
  getArtists(ids: readonly string[]): Promise<SpotifyResponse[]>;
  /**
   * A refresh token Spotify issued in place of the configured one; without a credentials
   * store (SpotifyClientSettings.sharedToken) the caller must store it.
   */
  readonly rotatedRefreshToken: string | undefined;
}

/** One HTTP request the client made, for logs. */
export interface SpotifyRequestInfo {
  method: string;
  /** The request URL (carries no secret: the token travels in a header). */
  url: string;
  /** HTTP status, or 0 when no response arrived (timeout, reset, truncated body). */
  status: number;
  attempt: number;
  durationMs: number;
}

/** Anomalies worth a log line that do not stop the run (e.g. an item total that does not add up). */
export type SpotifyWarning = (message: string, details: Record<string, unknown>) => void;

/** Where Spotify is and how patient the client is with it; every field has a default. */
export interface SpotifyClientSettings {
  apiBaseUrl?: string;
  accountsBaseUrl?: string;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
  /** Attempts per request for transient failures and short 429 waits. */
  maxAttempts?: number;
  /** A longer Retry-After is surfaced as SpotifyRateLimitedError for the state machine to wait. */
  maxInProcessWaitSeconds?: number;
  /** Parallel single-artist requests once the batch endpoint is known to be unavailable. */
  artistConcurrency?: number;
  /**
   * The Spotify app's quota mode. "development" (most apps) has no `GET /artists?ids=`, so the
   * client goes straight to one request per artist instead of spending one on a sure 403.
   * "extended" uses the batch endpoint, still falling back if it answers 403/404. Unset: try
   * the batch endpoint once and remember the answer.
   */
  appMode?: SpotifyAppMode;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Clock for token expiry, in epoch milliseconds. */
  now?: () => number;
  /**
   * Share the access token with the run's other invocations: kept in `store`, refreshed by
   * one invocation at a time under a lease in `leaseStore` (core/spotify/shared-token.ts).
   */
  sharedToken?: { store: SpotifyCredentialsStore; leaseStore: ConditionalObjectStore };
  onRequest?: (info: SpotifyRequestInfo) => void;
  onWarning?: SpotifyWarning;
}
