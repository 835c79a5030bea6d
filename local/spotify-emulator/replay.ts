// Replays recorded Spotify responses: loads a recording and serves `/v1` from it in place of
// the catalogue routes. A recording is a folder with an `index.json` listing requests and the
// files holding their answers (format in test/fixtures/recorded-spotify/README.md), so a
// person can capture one from the real API with curl and the pipeline can be tested against
// real bodies. Bodies are served byte for byte, including `next` links that point at
// https://api.spotify.com.

import { readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { errorReply, type ApiRoutes } from "./reply";

export interface ReplayIndexEntry {
  method: string;
  /** Request path, starting with `/v1/`. */
  path: string;
  /** Query string without `?`; parameter order does not matter when matching. */
  query?: string;
  status: number;
  /** Body file, relative to the recording folder. */
  file: string;
  /** Extra response headers, e.g. `{"retry-after": "5"}` for a recorded 429. */
  headers?: Record<string, string>;
}

export interface RecordedResponse {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

export interface Recording {
  readonly dir: string;
  readonly size: number;
  lookup(method: string, path: string, query: string): RecordedResponse | undefined;
}

/** Canonical form of a query string, so `limit=50&offset=0` matches `offset=0&limit=50`. */
export function canonicalQuery(query: string): string {
  const params = [...new URLSearchParams(query)];
  params.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  return new URLSearchParams(params).toString();
}

const requestKey = (method: string, path: string, query: string) =>
  `${method.toUpperCase()} ${path}?${canonicalQuery(query)}`;

/** Whether `path` lies inside `root` (both real paths); `..foo.json` is a legal name. */
const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/**
 * Reads and checks a recording folder; every problem names the index entry it is in. Body
 * files are checked by their real paths, so a symbolic link cannot lead out of the folder.
 */
export async function loadRecording(dir: string): Promise<Recording> {
  const root = await realpath(resolve(dir)).catch(() => resolve(dir));
  const indexPath = join(root, "index.json");
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, "utf8"));
  } catch (error) {
    throw new Error(`replay recording ${indexPath} cannot be read as JSON`, { cause: error });
  }
  if (!Array.isArray(index)) throw new Error(`${indexPath} must hold a JSON array of requests`);

  const responses = new Map<string, RecordedResponse>();
  for (const [i, raw] of index.entries()) {
    const where = `${indexPath} entry ${i}`;
    const entry = raw as Partial<ReplayIndexEntry>;
    if (typeof entry !== "object" || entry === null) throw new Error(`${where} is not an object`);
    if (typeof entry.method !== "string" || !/^[A-Za-z]+$/.test(entry.method)) {
      throw new Error(`${where}: "method" must be an HTTP method such as "GET"`);
    }
    if (typeof entry.path !== "string" || !entry.path.startsWith("/v1/")) {
      throw new Error(`${where}: "path" must start with /v1/ (token requests are not recorded)`);
    }
    if (entry.query !== undefined && typeof entry.query !== "string") {
      throw new Error(`${where}: "query" must be a string without the leading "?"`);
    }
    if (!Number.isInteger(entry.status) || entry.status! < 100 || entry.status! > 599) {
      throw new Error(`${where}: "status" must be an HTTP status code`);
    }
    if (typeof entry.file !== "string" || isAbsolute(entry.file)) {
      throw new Error(`${where}: "file" must be a path relative to the recording folder`);
    }
    const outside = new Error(`${where}: "file" ${entry.file} points outside the recording folder`);
    if (!isInside(root, resolve(root, entry.file))) throw outside;
    let body: Buffer;
    try {
      const bodyPath = await realpath(resolve(root, entry.file));
      if (!isInside(root, bodyPath)) throw outside;
      body = await readFile(bodyPath);
    } catch (error) {
      if (error === outside) throw error;
      throw new Error(`${where}: body file ${entry.file} cannot be read`, { cause: error });
    }
    const key = requestKey(entry.method, entry.path, entry.query ?? "");
    if (responses.has(key)) throw new Error(`${where}: ${key} is recorded twice`);
    const headers = Object.fromEntries(
      Object.entries(entry.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    responses.set(key, { status: entry.status!, body, headers });
  }
  return {
    dir: root,
    size: responses.size,
    lookup: (method, path, query) => responses.get(requestKey(method, path, query)),
  };
}

/** Serves `/v1` from a recording; a request it does not hold answers 404 naming the request. */
export function replayRoutes(recording: Recording): ApiRoutes {
  return ({ method, path, query }) => {
    const recorded = recording.lookup(method, path, query);
    if (recorded) return recorded;
    const request = `${method} ${path}${query ? `?${query}` : ""}`;
    return errorReply(404, `Not in the replay recording: ${request}`);
  };
}
