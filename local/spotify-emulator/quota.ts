// The emulator's request quota: development-mode Spotify counts an app's requests (per
// developer account) over a rolling window and, past the quota, answers 429 with
// `"reason": "QUOTA_EXCEEDED"`, sometimes without Retry-After, sometimes with an empty body.

import type { HttpFault } from "./faults";

export interface EmulatorQuota {
  /** API requests allowed within the window. */
  requests: number;
  windowMs: number;
  /** "json" (Retry-After: the window, the default), "noRetryAfter" (no header) or "empty" (no header, no body). */
  answer?: "json" | "noRetryAfter" | "empty";
}

/** Counts API requests in the rolling window; the 429 to answer once past the quota. */
export function quotaCounter(
  quota: EmulatorQuota | undefined,
  now: () => number,
): () => HttpFault | undefined {
  if (!quota) return () => undefined;
  if (!(Number.isInteger(quota.requests) && quota.requests >= 0 && quota.windowMs > 0)) {
    throw new RangeError("quota needs an integer requests >= 0 and a positive windowMs");
  }
  const seen: number[] = [];
  const windowSeconds = Math.ceil(quota.windowMs / 1000);
  return () => {
    const at = now();
    while (seen.length > 0 && seen[0]! <= at - quota.windowMs) seen.shift();
    // Refused requests count too: retrying early lengthens the wait, as on Spotify.
    seen.push(at);
    if (seen.length <= quota.requests) return undefined;
    const answer = quota.answer ?? "json";
    return {
      status: 429,
      reason: "QUOTA_EXCEEDED",
      retryAfterSeconds: answer === "json" ? windowSeconds : null,
      ...(answer === "empty" ? { body: "" } : {}),
    };
  };
}
