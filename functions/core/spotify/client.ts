// A small Spotify Web API client for the extraction step, written for the API as it is in
// 2026 (development-mode apps: user tokens, `/items`, no batch artists, QUOTA_EXCEEDED).
// It returns every response's exact bytes so the raw layer can store them unchanged, and it
// turns every failure into one of the pipeline's named errors so the state machine can
// decide: retry later (transient, rate limited), or stop and name the playlist (4xx).

import {
  ConfigurationError,
  InvalidInputError,
  PlaylistUnavailableError,
  SpotifyAuthError,
  SpotifyRateLimitedError,
  SpotifyRequestError,
  SpotifyTransientError,
} from "../../commons/errors";
import type { SpotifyCredentials } from "../../commons/ports";
import { isSpotifyId } from "../../commons/snapshot";

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

export interface SpotifyRequestInfo {
  method: string;
  url: string;
  /** HTTP status, or 0 when no response arrived (timeout, reset, truncated body). */
  status: number;
  attempt: number;
  durationMs: number;
}

export interface SpotifyClientOptions {
  credentials: SpotifyCredentials;
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
  onRequest?: (info: SpotifyRequestInfo) => void;
  /** Anomalies worth a log line that do not stop the run (e.g. an item total that does not add up). */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export const SPOTIFY_APP_MODES = ["development", "extended"] as const;
export type SpotifyAppMode = (typeof SPOTIFY_APP_MODES)[number];

export const DEFAULT_API_BASE_URL = "https://api.spotify.com/v1";
export const DEFAULT_ACCOUNTS_BASE_URL = "https://accounts.spotify.com";
/** `/items` serves at most 50 entries per page. */
export const ITEMS_PAGE_LIMIT = 50;
/** `GET /artists?ids=` takes at most 50 ids. */
export const ARTISTS_BATCH_SIZE = 50;

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** Renew a token this long before Spotify says it expires, so no request races its expiry. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;
/** Longest piece of a Spotify error body quoted in an error message. */
const MAX_REASON_CHARS = 200;

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** What one HTTP exchange ended with, after in-process retries. */
interface Exchange {
  url: string;
  status: number;
  body: Uint8Array;
  /** Parsed body; always valid for 2xx, `undefined` when a non-2xx body is not JSON. */
  json: unknown;
}

interface ExchangeRequest {
  method: "GET" | "POST";
  url: string;
  /** Names the request in errors and logs, e.g. `GET /playlists/{id}/items?offset=50&limit=50`. */
  endpoint: string;
  headers: Record<string, string>;
  body?: string;
}

export class SpotifyClient {
  private readonly credentials: SpotifyCredentials;
  private readonly apiBase: URL;
  private readonly accountsBaseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxInProcessWaitSeconds: number;
  private readonly artistConcurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly onRequest: (info: SpotifyRequestInfo) => void;
  private readonly onWarning: (message: string, details: Record<string, unknown>) => void;

  private token: { value: string; expiresAt: number } | undefined;
  private tokenInFlight: Promise<string> | undefined;
  /** Every access token this client was given, so none can leak into an error message. */
  private readonly issuedTokens = new Set<string>();
  private batchArtistsUnavailable = false;
  private requests = 0;

  /** A refresh token Spotify issued in place of the configured one; the caller must store it. */
  rotatedRefreshToken: string | undefined;

  constructor(options: SpotifyClientOptions) {
    const { credentials } = options;
    if (!credentials?.clientId || !credentials.clientSecret) {
      throw new ConfigurationError("Spotify credentials", "need a clientId and a clientSecret");
    }
    this.credentials = credentials;
    this.apiBase = new URL(stripTrailingSlash(options.apiBaseUrl ?? DEFAULT_API_BASE_URL));
    this.accountsBaseUrl = stripTrailingSlash(options.accountsBaseUrl ?? DEFAULT_ACCOUNTS_BASE_URL);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.requestTimeoutMs = positive(options.requestTimeoutMs ?? 10_000, "requestTimeoutMs");
    this.maxAttempts = positive(options.maxAttempts ?? 4, "maxAttempts");
    this.maxInProcessWaitSeconds = options.maxInProcessWaitSeconds ?? 5;
    this.artistConcurrency = positive(options.artistConcurrency ?? 4, "artistConcurrency");
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.onRequest = options.onRequest ?? (() => {});
    this.onWarning = options.onWarning ?? (() => {});
    this.batchArtistsUnavailable = options.appMode === "development";
  }

  /** HTTP requests made so far (API and token, retries included). */
  get requestCount(): number {
    return this.requests;
  }

  /** `GET /playlists/{id}`: name, owner, snapshot_id, followers, item total. */
  async getPlaylist(playlistId: string): Promise<SpotifyResponse> {
    const id = checkedId(playlistId, "playlistId");
    return this.getPlaylistResource(this.apiUrl(`/playlists/${id}`), id);
  }

  /**
   * Every page of `GET /playlists/{id}/items`, following `next` until it is null. `next` is
   * re-based onto the configured API base, so the token only ever goes to that host.
   */
  async *playlistItemPages(playlistId: string): AsyncGenerator<SpotifyResponse> {
    const id = checkedId(playlistId, "playlistId");
    let url = this.apiUrl(`/playlists/${id}/items?limit=${ITEMS_PAGE_LIMIT}&offset=0`);
    const seenOffsets = new Set<number>();
    let declaredTotal: number | undefined;
    let received = 0;
    for (;;) {
      const endpoint = this.endpointOf("GET", url);
      const offset = Number(new URL(url).searchParams.get("offset") ?? "0");
      if (!Number.isInteger(offset) || offset < 0) {
        throw new SpotifyRequestError(200, endpoint, "the page offset is not a whole number");
      }
      // A server that hands back an offset we already read would page forever.
      if (seenOffsets.has(offset)) {
        throw new SpotifyRequestError(200, endpoint, `next loops back to offset ${offset}`);
      }
      seenOffsets.add(offset);

      const response = await this.getPlaylistResource(url, id);
      const page = response.json;
      if (!isObject(page) || !Array.isArray(page.items)) {
        throw new SpotifyRequestError(response.status, endpoint, "the page has no items array");
      }
      if (declaredTotal === undefined && typeof page.total === "number") declaredTotal = page.total;
      received += page.items.length;
      yield response;

      if (page.next === null || page.next === undefined) break;
      if (typeof page.next !== "string") {
        throw new SpotifyRequestError(response.status, endpoint, "next is neither a URL nor null");
      }
      if (page.items.length === 0) {
        throw new SpotifyRequestError(response.status, endpoint, "an empty page points to a next");
      }
      url = this.rebaseNext(page.next, id, endpoint);
    }
    // Entries can change while we page (the playlist is live): keep what was received and
    // let the transform account for every entry, but leave a trace.
    if (declaredTotal !== undefined && declaredTotal !== received) {
      this.onWarning("playlist items total does not match the entries received", {
        playlistId: id,
        declaredTotal,
        received,
      });
    }
  }

  /**
   * Artists by id, in input order: batches of 50 via `GET /artists?ids=`, or, once that
   * answers 403/404 (development mode), one `GET /artists/{id}` each. A 404 for one artist is
   * returned with status 404 for the caller to record as missing.
   */
  async getArtists(ids: readonly string[]): Promise<SpotifyResponse[]> {
    const distinct = [...new Set(ids.map((id) => checkedId(id, "artistIds")))];
    const responses: SpotifyResponse[] = [];
    for (let start = 0; start < distinct.length; start += ARTISTS_BATCH_SIZE) {
      if (this.batchArtistsUnavailable) {
        responses.push(...(await this.artistsOneByOne(distinct.slice(start))));
        break;
      }
      const chunk = distinct.slice(start, start + ARTISTS_BATCH_SIZE);
      const url = this.apiUrl(`/artists?ids=${chunk.join(",")}`);
      const result = await this.apiGet(url);
      if (isSuccess(result.status)) {
        responses.push(result);
        continue;
      }
      if (result.status !== 403 && result.status !== 404) {
        throw this.requestError(result, "GET /artists?ids=");
      }
      this.batchArtistsUnavailable = true;
      this.onWarning("GET /artists?ids= is unavailable; fetching artists one by one", {
        status: result.status,
      });
      responses.push(...(await this.artistsOneByOne(distinct.slice(start))));
      break;
    }
    return responses;
  }

  private async artistsOneByOne(ids: readonly string[]): Promise<SpotifyResponse[]> {
    return mapBounded(ids, this.artistConcurrency, async (id) => {
      const result = await this.apiGet(this.apiUrl(`/artists/${id}`));
      if (isSuccess(result.status) || result.status === 404) return result;
      throw this.requestError(result, "GET /artists/{id}");
    });
  }

  /** A GET on a playlist resource, where 403/404 means that playlist cannot be read. */
  private async getPlaylistResource(url: string, playlistId: string): Promise<SpotifyResponse> {
    const result = await this.apiGet(url);
    if (isSuccess(result.status)) return result;
    const endpoint = this.endpointOf("GET", url);
    if (result.status === 403 || result.status === 404) {
      const hint =
        result.status === 403 && endpoint.includes("/items")
          ? "; in development mode Spotify serves items only for playlists the authorizing user owns or collaborates on"
          : "";
      throw new PlaylistUnavailableError(
        [playlistId],
        `${playlistId}: ${result.status} ${this.reasonOf(result)} (${endpoint})${hint}`,
      );
    }
    throw this.requestError(result, endpoint);
  }

  /** An authorized GET: on a 401 the token is renewed once, then the 401 is final. */
  private async apiGet(url: string): Promise<Exchange & SpotifyResponse> {
    const endpoint = this.endpointOf("GET", url);
    for (let renewed = false; ; renewed = true) {
      const token = await this.accessToken();
      const result = await this.exchange({
        method: "GET",
        url,
        endpoint,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
      if (result.status !== 401) return { ...result, canonicalUrl: this.canonicalUrl(url) };
      if (this.token?.value === token) this.token = undefined;
      if (renewed) {
        throw new SpotifyAuthError(
          `Spotify ${endpoint} answered 401 (${this.reasonOf(result)}) even with a newly issued ` +
            "access token: check the app's client credentials and the user's authorization",
        );
      }
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return this.token.value;
    // Parallel artist requests share one token request instead of each starting their own.
    this.tokenInFlight ??= this.requestToken().finally(() => {
      this.tokenInFlight = undefined;
    });
    return this.tokenInFlight;
  }

  private async requestToken(): Promise<string> {
    const refreshToken = this.rotatedRefreshToken ?? this.credentials.refreshToken;
    const grant = refreshToken ? "refresh_token" : "client_credentials";
    const form = new URLSearchParams({ grant_type: grant });
    if (refreshToken) form.set("refresh_token", refreshToken);
    const basic = Buffer.from(
      `${this.credentials.clientId}:${this.credentials.clientSecret}`,
    ).toString("base64");
    const endpoint = "POST /api/token";
    const result = await this.exchange({
      method: "POST",
      url: `${this.accountsBaseUrl}/api/token`,
      endpoint,
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
    });
    if (result.status === 400 || result.status === 401 || result.status === 403) {
      const advice = refreshToken
        ? "re-authorize the app and store the new refresh token"
        : "check the client id and secret";
      throw new SpotifyAuthError(
        `Spotify refused the ${grant} grant: ${result.status} ${this.reasonOf(result)}; ${advice}`,
      );
    }
    if (!isSuccess(result.status)) throw this.requestError(result, endpoint);
    const json = result.json;
    if (!isObject(json) || typeof json.access_token !== "string" || json.access_token === "") {
      throw new SpotifyAuthError(`Spotify's ${grant} grant answered without an access_token`);
    }
    const lifetimeMs = (typeof json.expires_in === "number" ? json.expires_in : 3600) * 1000;
    this.issuedTokens.add(json.access_token);
    this.token = {
      value: json.access_token,
      expiresAt:
        this.now() + Math.max(0, lifetimeMs - Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2)),
    };
    if (typeof json.refresh_token === "string" && json.refresh_token !== refreshToken) {
      this.rotatedRefreshToken = json.refresh_token;
    }
    return json.access_token;
  }

  /**
   * One HTTP request with in-process retries: 5xx, timeouts, network failures and unreadable
   * 2xx bodies back off with full jitter; a short 429 sleeps its Retry-After. Anything else
   * is returned for the caller to interpret.
   */
  private async exchange(request: ExchangeRequest): Promise<Exchange> {
    const { method, url, endpoint } = request;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let status = 0;
      let body: Uint8Array;
      let headers: Headers;
      this.requests++;
      try {
        const response = await this.fetchImpl(url, {
          method,
          headers: request.headers,
          body: request.body,
          // The timeout covers reading the body too: a stalled transfer is a failed one.
          signal: AbortSignal.timeout(this.requestTimeoutMs),
          // Never let a redirect carry the Authorization header somewhere else.
          redirect: "manual",
        });
        status = response.status;
        headers = response.headers;
        body = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        this.report(method, url, 0, attempt, started);
        if (!isNetworkFailure(error)) throw error;
        await this.backOffOrGiveUp(attempt, endpoint, this.describeFailure(error, status));
        continue;
      }
      this.report(method, url, status, attempt, started);

      if (status === 429) {
        const json = parseJson(body);
        const retryAfter = retryAfterSeconds(headers.get("retry-after"), this.now());
        const quotaExceeded = isQuotaExceeded(json);
        // A quota 429 will not clear in seconds, and a long wait belongs in a Wait state.
        if (quotaExceeded || retryAfter > this.maxInProcessWaitSeconds) {
          throw new SpotifyRateLimitedError(retryAfter, quotaExceeded);
        }
        if (attempt >= this.maxAttempts) throw new SpotifyRateLimitedError(retryAfter, false);
        await this.sleep(retryAfter * 1000);
        continue;
      }
      if (status >= 500) {
        const cause = `${status} ${this.reasonOf({ json: parseJson(body), status })}`;
        await this.backOffOrGiveUp(attempt, endpoint, cause);
        continue;
      }
      const json = parseJson(body);
      if (isSuccess(status) && json === undefined) {
        const cause = `${status} with a body that is not valid JSON (${body.length} bytes)`;
        await this.backOffOrGiveUp(attempt, endpoint, cause);
        continue;
      }
      return { url, status, body, json };
    }
  }

  private async backOffOrGiveUp(attempt: number, endpoint: string, cause: string): Promise<void> {
    if (attempt >= this.maxAttempts) {
      throw new SpotifyTransientError(
        `Spotify ${endpoint} failed ${attempt} time(s); last cause: ${cause}`,
      );
    }
    // Full jitter: spreads the retries of parallel extractions instead of synchronizing them.
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    await this.sleep(Math.floor(this.random() * ceiling));
  }

  private report(method: string, url: string, status: number, attempt: number, started: number) {
    this.onRequest({ method, url, status, attempt, durationMs: performance.now() - started });
  }

  private describeFailure(error: unknown, status: number): string {
    const name = (error as { name?: unknown }).name;
    if (name === "TimeoutError") return `no complete answer within ${this.requestTimeoutMs} ms`;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = [cause?.code, cause?.message, (error as Error).message].find(
      (part) => typeof part === "string" && part !== "",
    );
    const where = status ? `reading the ${status} body` : "network error";
    return this.redact(`${where}: ${String(detail ?? name)}`);
  }

  /** Spotify's own words for an error answer, shortened and scrubbed of any secret. */
  private reasonOf(result: { json: unknown; status: number }): string {
    const json = result.json;
    let reason: unknown;
    if (isObject(json)) {
      const error = json.error;
      if (isObject(error)) reason = error.message;
      else if (typeof error === "string") {
        // The accounts service answers `{error, error_description}`.
        reason =
          typeof json.error_description === "string"
            ? `${error}: ${json.error_description}`
            : error;
      }
    }
    const text = typeof reason === "string" && reason !== "" ? reason : "(no error message)";
    return this.redact(text.slice(0, MAX_REASON_CHARS));
  }

  private requestError(result: Exchange, endpoint: string): SpotifyRequestError {
    return new SpotifyRequestError(result.status, endpoint, this.reasonOf(result));
  }

  private redact(text: string): string {
    const secrets = [
      this.credentials.clientSecret,
      this.credentials.refreshToken,
      this.rotatedRefreshToken,
      ...this.issuedTokens,
    ];
    let out = text;
    for (const secret of secrets) {
      if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  private apiUrl(pathAndQuery: string): string {
    return `${stripTrailingSlash(this.apiBase.href)}${pathAndQuery}`;
  }

  private canonicalUrl(url: string): string {
    const base = stripTrailingSlash(this.apiBase.href);
    return url.startsWith(base) ? `${DEFAULT_API_BASE_URL}${url.slice(base.length)}` : url;
  }

  /** `GET /playlists/{id}/items?limit=50&offset=0`: the URL relative to the API base. */
  private endpointOf(method: string, url: string): string {
    const base = stripTrailingSlash(this.apiBase.href);
    return `${method} ${url.startsWith(base) ? url.slice(base.length) : url}`;
  }

  /**
   * Takes the path (after the API prefix) and query of a `next` URL and applies them to the
   * configured base: recorded pages that say https://api.spotify.com replay against a local
   * emulator, and no `next` can send the token to another host.
   */
  private rebaseNext(next: string, playlistId: string, endpoint: string): string {
    let parsed: URL;
    try {
      parsed = new URL(next);
    } catch {
      throw new SpotifyRequestError(200, endpoint, `next is not a URL: ${next.slice(0, 100)}`);
    }
    const basePath = stripTrailingSlash(this.apiBase.pathname);
    let path = parsed.pathname;
    if (basePath && path.startsWith(`${basePath}/`)) path = path.slice(basePath.length);
    else if (path.startsWith("/v1/")) path = path.slice("/v1".length);
    const expected = `/playlists/${playlistId}/items`;
    if (path !== expected) {
      throw new SpotifyRequestError(
        200,
        endpoint,
        `next points to ${parsed.pathname.slice(0, 100)}, not to this playlist's items`,
      );
    }
    return this.apiUrl(`${path}${parsed.search}`);
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
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

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
}

function isQuotaExceeded(json: unknown): boolean {
  if (!isObject(json)) return false;
  return (
    json.reason === "QUOTA_EXCEEDED" ||
    (isObject(json.error) && json.error.reason === "QUOTA_EXCEEDED")
  );
}

/** Retry-After in whole seconds: delta-seconds or an HTTP date; 1 when missing or unreadable. */
function retryAfterSeconds(header: string | null, nowMs: number): number {
  if (header === null || header.trim() === "") return 1;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return 1;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** Failures of the transport itself: fetch's TypeError, timeouts and aborted body reads. */
function isNetworkFailure(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    name === "TimeoutError" ||
    name === "AbortError" ||
    (typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR)/.test(code))
  );
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
