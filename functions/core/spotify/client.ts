// A small Spotify Web API client for the extraction step, written for the API as it is in
// 2026 (development-mode apps: user tokens, `/items`, no batch artists, QUOTA_EXCEEDED).
// It returns every response's exact bytes so the raw layer can store them unchanged, and it
// turns every failure into one of the pipeline's named errors so the state machine can
// decide: retry later (transient, rate limited), or stop and name the playlist (4xx).
//
// This class is the facade: it checks its settings and the ids it is given, and wires the
// parts that do the work: token-source.ts (access tokens), transport.ts (HTTP and retries),
// api.ts (URLs and authorized GETs), items-pager.ts (`next`), artist-lookup.ts (batch or one
// by one) and redaction.ts (no secret in any message).

import { ConfigurationError, InvalidInputError } from "../../commons/errors";
import { isSpotifyId } from "../../commons/snapshot";
import type {
  SpotifyClientSettings,
  SpotifyCredentials,
  SpotifyPort,
  SpotifyResponse,
  SpotifyWarning,
} from "../../commons/spotify";
import { randomUUID } from "node:crypto";
import { DEFAULT_API_BASE_URL, SpotifyApi, stripTrailingSlash } from "./api";
import { ArtistLookup } from "./artist-lookup";
import { playlistItemPages } from "./items-pager";
import { Redactor } from "./redaction";
import { SharedToken } from "./shared-token";
import { DEFAULT_ACCOUNTS_BASE_URL, TokenSource } from "./token-source";
import { SpotifyTransport } from "./transport";

export interface SpotifyClientOptions extends SpotifyClientSettings {
  credentials: SpotifyCredentials;
}

export class SpotifyClient implements SpotifyPort {
  private readonly transport: SpotifyTransport;
  private readonly tokens: TokenSource;
  private readonly api: SpotifyApi;
  private readonly artists: ArtistLookup;
  private readonly warn: SpotifyWarning;

  constructor(options: SpotifyClientOptions) {
    const { credentials } = options;
    if (!credentials?.clientId || !(credentials.clientSecret || credentials.refreshToken)) {
      throw new ConfigurationError(
        "Spotify credentials",
        "need a clientId and a clientSecret (or a refreshToken from a PKCE authorization)",
      );
    }
    // A client-credentials token has no user, and a development-mode app reads no playlist's
    // items without one: every /items request would answer 403. Say so before spending any.
    if (options.appMode === "development" && !credentials.refreshToken) {
      throw new ConfigurationError(
        "Spotify credentials",
        "hold no user refresh token, which a development-mode app needs to read playlist items: " +
          "run `npm run authorize` (or store a refreshToken in the Spotify secret); " +
          "extended-quota apps may use client credentials (SPOTIFY_APP_MODE=extended)",
      );
    }
    const apiBase = new URL(stripTrailingSlash(options.apiBaseUrl ?? DEFAULT_API_BASE_URL));
    const accountsBaseUrl = stripTrailingSlash(
      options.accountsBaseUrl ?? DEFAULT_ACCOUNTS_BASE_URL,
    );
    const requestTimeoutMs = positive(options.requestTimeoutMs ?? 10_000, "requestTimeoutMs");
    const maxAttempts = positive(options.maxAttempts ?? 4, "maxAttempts");
    const artistConcurrency = positive(options.artistConcurrency ?? 4, "artistConcurrency");
    const now = options.now ?? Date.now;
    this.warn = options.onWarning ?? (() => {});

    // The redactor asks the token source for its secrets on every message, so tokens issued
    // after this point are redacted too.
    const redactor = new Redactor(() => this.tokens.secrets());
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.transport = new SpotifyTransport({
      fetch: options.fetch ?? globalThis.fetch,
      requestTimeoutMs,
      maxAttempts,
      maxInProcessWaitSeconds: options.maxInProcessWaitSeconds ?? 5,
      sleep,
      random: options.random ?? Math.random,
      now,
      onRequest: options.onRequest ?? (() => {}),
      redactor,
    });
    this.tokens = new TokenSource({
      credentials,
      accountsBaseUrl,
      transport: this.transport,
      redactor,
      now,
      ...(options.sharedToken && {
        shared: new SharedToken({ ...options.sharedToken, holder: randomUUID(), now, sleep }),
      }),
    });
    this.api = new SpotifyApi({
      apiBase,
      transport: this.transport,
      tokens: this.tokens,
      redactor,
    });
    this.artists = new ArtistLookup({
      api: this.api,
      redactor,
      concurrency: artistConcurrency,
      appMode: options.appMode,
      warn: this.warn,
    });
  }

  /** HTTP requests made so far (API and token, retries included). */
  get requestCount(): number {
    return this.transport.requestCount;
  }

  /** A refresh token Spotify issued in place of the configured one; the caller must store it. */
  get rotatedRefreshToken(): string | undefined {
    return this.tokens.rotatedRefreshToken;
  }

  /** `GET /playlists/{id}`: name, owner, snapshot_id, followers, item total. */
  async getPlaylist(playlistId: string): Promise<SpotifyResponse> {
    const id = checkedId(playlistId, "playlistId");
    return this.api.getPlaylistResource(this.api.url(`/playlists/${id}`), id);
  }

  /**
   * Every page of `GET /playlists/{id}/items`, following `next` until it is null; after the
   * page the playlist object embedded, when given (one request fewer per playlist). `next`
   * is re-based onto the configured API base, so the token only ever goes to that host.
   */
  async *playlistItemPages(
    playlistId: string,
    embeddedFirstPage?: unknown,
  ): AsyncGenerator<SpotifyResponse> {
    const id = checkedId(playlistId, "playlistId");
    yield* playlistItemPages(this.api, id, this.warn, embeddedFirstPage);
  }

  /**
   * An authorized GET of `pathAndQuery` on the API base (e.g. `/me`), answered whatever its
   * status, for diagnostics (`npm run doctor`) that explain refusals rather than raise them.
   */
  async inspect(pathAndQuery: string): Promise<SpotifyResponse> {
    if (!pathAndQuery.startsWith("/")) {
      throw new InvalidInputError("pathAndQuery", "must start with /");
    }
    return this.api.get(this.api.url(pathAndQuery));
  }

  /**
   * Artists by id, in input order: batches of 50 via `GET /artists?ids=`, or, once that
   * answers 403/404 (development mode), one `GET /artists/{id}` each. A 404 for one artist is
   * returned with status 404 for the caller to record as missing.
   */
  async getArtists(ids: readonly string[]): Promise<SpotifyResponse[]> {
    const distinct = [...new Set(ids.map((id) => checkedId(id, "artistIds")))];
    return this.artists.getArtists(distinct);
  }
}

function checkedId(id: unknown, field: string): string {
  if (!isSpotifyId(id)) {
    throw new InvalidInputError(
      field,
      `must hold 22-character base-62 Spotify ids, got ${JSON.stringify(id)?.slice(0, 60)}`,
    );
  }
  return id;
}

function positive(value: number, setting: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(setting, `must be a positive number, got ${value}`);
  }
  return value;
}
