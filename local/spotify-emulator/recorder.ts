// Records what a run received from Spotify in the replay format (replay.ts; described in
// test/fixtures/recorded-spotify/README.md), so a run against the real API can be replayed
// offline and give byte-identical lake files. It wraps the Spotify client's fetch: every
// `/v1` answer (playlists, pages, artists, errors) is kept with its exact query string,
// status, body bytes and the headers that matter to the client (Retry-After); token requests
// and every request header (the bearer token) are never written.

import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalQuery, type ReplayIndexEntry } from "./replay";

/** Response headers the client acts on; nothing else is recorded. */
const RECORDED_HEADERS = ["retry-after"];

export interface SpotifyRecorder {
  /** Use as the Spotify client's `fetch`. */
  fetch: typeof fetch;
  /** Requests recorded so far (the last answer of each). */
  readonly size: number;
  /** Writes `index.json` and the bodies into the folder. */
  save(): Promise<void>;
}

export function spotifyRecorder(
  folder: string,
  inner: typeof fetch = globalThis.fetch,
): SpotifyRecorder {
  // By request: a retried request (after a 5xx or a 429) keeps the answer the run went on with.
  const recorded = new Map<string, { entry: ReplayIndexEntry; body: Uint8Array }>();

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const at = url.pathname.indexOf("/v1/");
    if (at < 0) return response; // the accounts service: tokens are never recorded
    const method = (init?.method ?? "GET").toUpperCase();
    const path = url.pathname.slice(at);
    const query = url.search.slice(1);
    const body = new Uint8Array(await response.clone().arrayBuffer());
    const key = `${method} ${path}?${canonicalQuery(query)}`;
    const name = createHash("sha256").update(key).digest("hex").slice(0, 16);
    const headers = Object.fromEntries(
      RECORDED_HEADERS.flatMap((h) => {
        const value = response.headers.get(h);
        return value === null ? [] : [[h, value]];
      }),
    );
    const entry: ReplayIndexEntry = {
      method,
      path,
      query,
      status: response.status,
      file: `responses/${name}.json`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    };
    recorded.set(key, { entry, body });
    return response;
  };

  return {
    fetch: recordingFetch,
    get size() {
      return recorded.size;
    },
    async save() {
      await mkdir(join(folder, "responses"), { recursive: true });
      // Sorted by request, so the same run writes the same index.
      const entries = [...recorded.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [, { entry, body }] of entries) await writeFile(join(folder, entry.file), body);
      const index = entries.map(([, { entry }]) => entry);
      await writeFile(join(folder, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
    },
  };
}
