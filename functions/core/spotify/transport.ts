// One HTTP exchange with Spotify and its retry policy. Transient failures (5xx, timeouts,
// network errors, unreadable 2xx bodies) back off with full jitter and are retried in
// process; a short 429 sleeps its Retry-After; a long one becomes SpotifyRateLimitedError so
// the state machine waits instead of the Lambda, and a quota 429 (QUOTA_EXCEEDED, or no
// Retry-After at all) one that ends the run. Every other
// answer is returned for the caller to interpret. Counts every request and reports each one.

import { SpotifyRateLimitedError, SpotifyTransientError } from "../../commons/errors";
import type { SpotifyRequestInfo } from "../../commons/spotify";
import { isObject } from "../../commons/json";
import { isSuccess, parseJson } from "./answers";
import type { Redactor } from "./redaction";

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

export interface ExchangeRequest {
  method: "GET" | "POST";
  url: string;
  /** Names the request in errors and logs, e.g. `GET /playlists/{id}/items?offset=50&limit=50`. */
  endpoint: string;
  headers: Record<string, string>;
  body?: string;
}

/** What one HTTP exchange ended with, after in-process retries. */
export interface Exchange {
  url: string;
  status: number;
  body: Uint8Array;
  /** Parsed body; always valid for 2xx, `undefined` when a non-2xx body is not JSON. */
  json: unknown;
}

export interface TransportOptions {
  fetch: typeof fetch;
  requestTimeoutMs: number;
  /** Attempts per request for transient failures and short 429 waits. */
  maxAttempts: number;
  /** A longer Retry-After is surfaced as SpotifyRateLimitedError. */
  maxInProcessWaitSeconds: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Epoch milliseconds, to read a Retry-After given as an HTTP date. */
  now: () => number;
  onRequest: (info: SpotifyRequestInfo) => void;
  redactor: Redactor;
}

export class SpotifyTransport {
  private requests = 0;

  constructor(private readonly options: TransportOptions) {}

  /** HTTP requests made so far, retries included. */
  get requestCount(): number {
    return this.requests;
  }

  async exchange(request: ExchangeRequest): Promise<Exchange> {
    const { method, url, endpoint } = request;
    const { maxAttempts, maxInProcessWaitSeconds, redactor } = this.options;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let status = 0;
      let body: Uint8Array;
      let headers: Headers;
      this.requests++;
      try {
        const response = await this.options.fetch(url, {
          method,
          headers: request.headers,
          body: request.body,
          // The timeout covers reading the body too: a stalled transfer is a failed one.
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
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
        const header = headers.get("retry-after");
        const retryAfter = retryAfterSeconds(header, this.options.now());
        // A quota 429 (Spotify sends some without Retry-After, even with an empty body) will
        // not clear in seconds, and retrying early lengthens it: the run stops. A long wait
        // belongs in a Wait state.
        const quotaExceeded = isQuotaExceeded(json) || header === null || header.trim() === "";
        if (quotaExceeded) throw new SpotifyRateLimitedError(header ? retryAfter : 0, true);
        if (retryAfter > maxInProcessWaitSeconds) {
          throw new SpotifyRateLimitedError(retryAfter, false);
        }
        if (attempt >= maxAttempts) throw new SpotifyRateLimitedError(retryAfter, false);
        await this.options.sleep(retryAfter * 1000);
        continue;
      }
      if (status >= 500) {
        const cause = `${status} ${redactor.reasonOf({ json: parseJson(body), body })}`;
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
    if (attempt >= this.options.maxAttempts) {
      throw new SpotifyTransientError(
        `Spotify ${endpoint} failed ${attempt} time(s); last cause: ${cause}`,
      );
    }
    // Full jitter: spreads the retries of parallel extractions instead of synchronizing them.
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    await this.options.sleep(Math.floor(this.options.random() * ceiling));
  }

  private report(method: string, url: string, status: number, attempt: number, started: number) {
    const durationMs = performance.now() - started;
    this.options.onRequest({ method, url, status, attempt, durationMs });
  }

  private describeFailure(error: unknown, status: number): string {
    const name = (error as { name?: unknown }).name;
    if (name === "TimeoutError") {
      return `no complete answer within ${this.options.requestTimeoutMs} ms`;
    }
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = [cause?.code, cause?.message, (error as Error).message].find(
      (part) => typeof part === "string" && part !== "",
    );
    const where = status ? `reading the ${status} body` : "network error";
    return this.options.redactor.redact(`${where}: ${String(detail ?? name)}`);
  }
}

function isQuotaExceeded(json: unknown): boolean {
  if (!isObject(json)) return false;
  return (
    json.reason === "QUOTA_EXCEEDED" ||
    (isObject(json.error) && json.error.reason === "QUOTA_EXCEEDED")
  );
}

/** Retry-After in whole seconds: delta-seconds or an HTTP date; 1 when unreadable. */
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
