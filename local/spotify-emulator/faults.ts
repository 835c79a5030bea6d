// Scripted failures for the Spotify emulator: tests enqueue the faults a real Spotify produces
// (rate limits, 5xx, dropped connections, cut bodies, expired tokens) and the emulator applies
// each to the next matching request(s), once or N times, in the order they were enqueued.

/** An HTTP error answer in Spotify's error shape (or `body` verbatim when given). */
export type HttpFault =
  | {
      status: 429;
      /** Sent as the `Retry-After` header, in seconds; `null` sends none (some quota 429s). */
      retryAfterSeconds: number | null;
      /** "QUOTA_EXCEEDED" gives the July-2026 quota form of the 429 body. */
      reason?: "QUOTA_EXCEEDED";
      body?: unknown;
    }
  | { status: 500 | 502 | 503 | 504 | 403 | 404; body?: unknown };

export type ConnectionFault =
  /** Destroy the socket without answering. */
  | { kind: "reset" }
  /** Wait `ms` (through the emulator's injectable sleep), then answer normally. */
  | { kind: "delay"; ms: number }
  /** Send the headers (full Content-Length) and half the body, then drop the connection. */
  | { kind: "truncated" }
  /** Answer with a well-framed response whose body is cut in half, so it is not valid JSON. */
  | { kind: "invalidJson" }
  /** Every token issued so far now answers "The access token expired"; then answer normally. */
  | { kind: "expireTokens" };

export interface FaultMatch {
  /** HTTP method to match (case-insensitive); any method when absent. */
  method?: string;
  /**
   * Tested against the request path (no query). When absent the fault matches `/v1/` API
   * requests only, so a token request made first does not consume it; pass
   * `path: /^\/api\/token$/` to fail token requests.
   */
  path?: RegExp;
  /** How many matching requests the fault applies to (default 1). */
  times?: number;
}

export type Fault = (HttpFault | ConnectionFault) & FaultMatch;

const HTTP_FAULT_STATUSES = new Set([403, 404, 429, 500, 502, 503, 504]);
const CONNECTION_FAULT_KINDS = new Set([
  "reset",
  "delay",
  "truncated",
  "invalidJson",
  "expireTokens",
]);

const DEFAULT_MESSAGES: Record<number, string> = {
  403: "Forbidden",
  404: "Resource not found",
  429: "API rate limit exceeded",
  500: "Server error.",
  502: "Bad gateway.",
  503: "Service unavailable",
  504: "Gateway timeout",
};

/** The body and headers an HTTP fault answers with. */
export function httpFaultResponse(fault: HttpFault): {
  status: number;
  body: string;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> =
    fault.status === 429 && fault.retryAfterSeconds !== null
      ? { "retry-after": String(fault.retryAfterSeconds) }
      : {};
  if (fault.body !== undefined) {
    if (typeof fault.body !== "string") {
      return { status: fault.status, body: JSON.stringify(fault.body), headers };
    }
    // Some of Spotify's 403s are plain text (e.g. "User not approved for app"), not JSON.
    const plain = !/^\s*[[{]/.test(fault.body);
    if (plain) headers["content-type"] = "text/plain; charset=utf-8";
    return { status: fault.status, body: fault.body, headers };
  }
  const error: { status: number; message: string; reason?: string } = {
    status: fault.status,
    message: DEFAULT_MESSAGES[fault.status]!,
  };
  if (fault.status === 429 && fault.reason) error.reason = fault.reason;
  return { status: fault.status, body: JSON.stringify({ error }), headers };
}

/** A short label for the request log, e.g. "429" or "reset". */
export const faultLabel = (fault: Fault): string =>
  "kind" in fault ? fault.kind : String(fault.status);

export class FaultQueue {
  private readonly queue: { fault: Fault; remaining: number }[] = [];

  /** Adds a fault after those already waiting; throws on a fault the emulator cannot apply. */
  enqueue(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`fault.times must be a positive integer, got ${String(fault.times)}`);
    }
    if ("kind" in fault) {
      if (!CONNECTION_FAULT_KINDS.has(fault.kind)) {
        throw new TypeError(`unknown fault kind ${JSON.stringify(fault.kind)}`);
      }
      if (fault.kind === "delay" && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
        throw new RangeError(`delay fault needs ms >= 0, got ${String(fault.ms)}`);
      }
    } else {
      if (!HTTP_FAULT_STATUSES.has(fault.status)) {
        throw new TypeError(`unsupported fault status ${String(fault.status)}`);
      }
      if (
        fault.status === 429 &&
        fault.retryAfterSeconds !== null &&
        !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)
      ) {
        throw new RangeError(
          `429 fault needs an integer retryAfterSeconds >= 0 or null, got ${String(fault.retryAfterSeconds)}`,
        );
      }
    }
    this.queue.push({ fault, remaining: times });
  }

  /** Removes one application of the first fault matching the request, and returns it. */
  take(method: string, path: string): Fault | undefined {
    const index = this.queue.findIndex(({ fault }) => {
      if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
      return fault.path ? fault.path.test(path) : path.startsWith("/v1/");
    });
    if (index < 0) return undefined;
    const slot = this.queue[index]!;
    slot.remaining--;
    if (slot.remaining === 0) this.queue.splice(index, 1);
    return slot.fault;
  }

  /** Applications still waiting (a fault with times: 3 not yet hit counts 3). */
  get pending(): number {
    return this.queue.reduce((sum, slot) => sum + slot.remaining, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}
