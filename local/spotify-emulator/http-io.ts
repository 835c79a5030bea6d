// The byte level of one exchange, kept apart from what the emulator answers: reading a
// request body (bounded), writing a reply with its fixed headers (or half of it, for the
// body-cutting faults), and the query string as the request log may hold it.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reply } from "./reply";

const SECRET_PARAMS = new Set(["client_secret", "refresh_token", "code", "access_token"]);

/** The query with credential-like values replaced, so the request log never holds secrets. */
export function redactQuery(query: string): string {
  if (query === "") return "";
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_PARAMS.has(key)) params.set(key, "REDACTED");
  return params.toString();
}

/** The request body as text; rejects past `maxBytes` (the emulator then answers 500). */
export function readBody(req: IncomingMessage, maxBytes = 64 * 1024): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) reject(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolveBody(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The faults that still answer, with half the body: cut off mid-way, or well-framed. */
export type BodyCut = "truncated" | "invalidJson";

/** Writes a reply; with a cut, only the first half of its body (see BodyCut). */
export function writeReply(res: ServerResponse, reply: Reply, cut?: BodyCut): void {
  const full = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
  const body = cut ? full.subarray(0, Math.floor(full.length / 2)) : full;
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "private, max-age=0",
    ...reply.headers,
    // A truncated answer announces the full length, then the connection drops.
    "content-length": String(cut === "truncated" ? full.length : body.length),
  });
  if (cut === "truncated") res.write(body, () => res.destroy());
  else res.end(body);
}
