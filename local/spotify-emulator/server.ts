// A local stand-in for the Spotify Web API and its token endpoint, so the pipeline runs and is
// tested with no internet. It serves a catalogue (the deterministic sample by default) or a
// recorded folder of real responses, speaks Spotify's paths, paging and error bodies, behaves
// like an extended-quota or a development-mode app, and can be told to fail on purpose.
// Same catalogue + same request => byte-identical body (no timestamps, stable key order).

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FaultQueue, faultLabel, httpFaultResponse, type Fault } from "./faults";
import { loadRecording, type Recording } from "./replay";
import { generateSampleCatalogue } from "./sample-data";
import type {
  CataloguePlaylist,
  SpotifyArtist,
  SpotifyCatalogue,
  SpotifyPlaylistEntry,
} from "./types";

export type SpotifyAppMode = "extended" | "development";

export interface EmulatorCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface SpotifyEmulatorOptions {
  /** What to serve; the default sample (scale 1) when absent. */
  catalogue?: SpotifyCatalogue;
  /** Default "development": the removed endpoints and fields of the 2026 changes are gone. */
  mode?: SpotifyAppMode;
  /** Serve `/v1` from this recording folder instead of the catalogue. */
  replayDir?: string;
  /** Fixed delay before every answer, for benchmarks. */
  latencyMs?: number;
  /** Largest `limit` accepted by `/items` (Spotify: 50). The old `/tracks` keeps 100. */
  pageLimitMax?: number;
  /** Overrides the generated, deterministic credentials. */
  credentials?: Partial<EmulatorCredentials>;
  /**
   * Base of the `href`/`next`/`previous` paging links (default: the emulator's own
   * apiBaseUrl). Set `https://api.spotify.com/v1` to make a client rewrite links as it must
   * for real Spotify, or to get byte-identical bodies from emulators on different ports.
   */
  pagingBaseUrl?: string;
  /** The refresh grant then also returns a new refresh token (both stay valid). */
  rotateRefreshToken?: boolean;
  /** Clock for token expiry (ms since epoch); real time by default. */
  now?: () => number;
  /** How delays (latencyMs, delay faults) wait; inject a fake in unit tests. */
  sleep?: (ms: number) => Promise<void>;
  port?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Query string without `?`; values of credential-like parameters are redacted. */
  query: string;
  /** HTTP status sent, 0 when the connection was dropped before any answer. */
  status: number;
  /** The injected fault applied to this request, if any (e.g. "429", "reset"). */
  fault?: string;
}

export interface SpotifyEmulator {
  url: string;
  /** `${url}/v1`: the base the pipeline's Spotify client calls. */
  apiBaseUrl: string;
  /** Base of `/api/token` (Spotify: https://accounts.spotify.com). */
  accountsBaseUrl: string;
  credentials: EmulatorCredentials;
  mode: SpotifyAppMode;
  /** Every request in arrival order; never holds headers, bodies or secrets. */
  requestLog: RequestLogEntry[];
  faults: FaultQueue;
  /** Same as the `expireTokens` fault: every token issued so far is now expired. */
  expireTokens(): void;
  close(): Promise<void>;
}

const TOKEN_LIFETIME_S = 3600;
const USER_SCOPE = "playlist-read-private playlist-read-collaborative";
const ID = /^[0-9A-Za-z]{22}$/;
const SECRET_PARAMS = new Set(["client_secret", "refresh_token", "code", "access_token"]);

// Fields the Feb-2026 changes removed for development-mode apps, by object `type`.
const DEVELOPMENT_STRIPPED: Record<string, ReadonlySet<string>> = {
  track: new Set(["popularity", "available_markets"]),
  album: new Set(["popularity", "available_markets", "label"]),
  artist: new Set(["popularity", "followers"]),
  show: new Set(["available_markets"]),
};

const digest = (text: string) => createHash("sha256").update(text).digest();

function defaultCredentials(): EmulatorCredentials {
  return {
    clientId: digest("spotify-emulator:client-id").toString("hex").slice(0, 32),
    clientSecret: digest("spotify-emulator:client-secret").toString("hex").slice(0, 32),
    refreshToken: `AQ${digest("spotify-emulator:refresh:0").toString("base64url")}${digest("spotify-emulator:refresh:0:b").toString("base64url")}`,
  };
}

/** Opaque, Spotify-looking, and the same for the n-th token of every emulator. */
const accessToken = (n: number) =>
  `BQ${digest(`spotify-emulator:access:${n}`).toString("base64url")}${digest(`spotify-emulator:access:${n}:b`).toString("base64url")}`;

/** Removes development-mode fields, copying objects so the catalogue is never mutated. */
export function stripForDevelopment(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripForDevelopment);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const stripped = typeof record.type === "string" ? DEVELOPMENT_STRIPPED[record.type] : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) {
    if (!stripped?.has(key)) out[key] = stripForDevelopment(child);
  }
  return out;
}

function redactQuery(query: string): string {
  if (query === "") return "";
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_PARAMS.has(key)) params.set(key, "REDACTED");
  return params.toString();
}

const apiError = (status: number, message: string) =>
  JSON.stringify({ error: { status, message } });

interface Reply {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });
const error = (status: number, message: string): Reply => ({
  status,
  body: apiError(status, message),
});

function readBody(req: IncomingMessage, maxBytes = 64 * 1024): Promise<string> {
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

/** Parses `offset`/`limit` as Spotify does: integers, limit in [1, max], offset >= 0. */
function paging(
  params: URLSearchParams,
  maxLimit: number,
): { offset: number; limit: number } | Reply {
  const limitText = params.get("limit");
  const offsetText = params.get("offset");
  const limit = limitText === null ? Math.min(20, maxLimit) : Number(limitText);
  const offset = offsetText === null ? 0 : Number(offsetText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    return error(400, `Invalid limit: must be an integer from 1 to ${maxLimit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) return error(400, "Invalid offset");
  return { offset, limit };
}

export async function startSpotifyEmulator(
  options: SpotifyEmulatorOptions = {},
): Promise<SpotifyEmulator> {
  const mode: SpotifyAppMode = options.mode ?? "development";
  if (mode !== "development" && mode !== "extended") {
    throw new TypeError(`mode must be "development" or "extended", got ${String(mode)}`);
  }
  const pageLimitMax = options.pageLimitMax ?? 50;
  if (!Number.isInteger(pageLimitMax) || pageLimitMax < 1) {
    throw new RangeError(`pageLimitMax must be a positive integer, got ${pageLimitMax}`);
  }
  const latencyMs = options.latencyMs ?? 0;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const credentials: EmulatorCredentials = { ...defaultCredentials(), ...options.credentials };
  const recording: Recording | undefined = options.replayDir
    ? await loadRecording(options.replayDir)
    : undefined;
  const catalogue = options.catalogue ?? (recording ? undefined : generateSampleCatalogue());

  const playlists = new Map<string, CataloguePlaylist>();
  const artists = new Map<string, SpotifyArtist>();
  for (const p of catalogue?.playlists ?? []) playlists.set(p.playlist.id, p);
  for (const a of catalogue?.artists ?? []) artists.set(a.id, a);

  const refreshTokens = new Set([credentials.refreshToken]);
  const tokens = new Map<string, { expiresAtMs: number; revoked: boolean }>();
  let issued = 0;
  const expireTokens = () => {
    for (const t of tokens.values()) t.revoked = true;
  };

  const requestLog: RequestLogEntry[] = [];
  const faults = new FaultQueue();
  // Known once the server listens; only read while serving requests.
  let pagingBase = "";

  const shape = (value: unknown) => (mode === "development" ? stripForDevelopment(value) : value);

  function tokenEndpoint(req: IncomingMessage, body: string): Reply {
    const form = new URLSearchParams(body);
    let clientId = form.get("client_id");
    let clientSecret = form.get("client_secret");
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (basic) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      clientId = colon < 0 ? decoded : decoded.slice(0, colon);
      clientSecret = colon < 0 ? "" : decoded.slice(colon + 1);
    }
    if (clientId !== credentials.clientId || clientSecret !== credentials.clientSecret) {
      return json(400, { error: "invalid_client", error_description: "Invalid client" });
    }
    const grant = form.get("grant_type");
    const issue = (extra: Record<string, string>) => {
      const token = accessToken(issued++);
      tokens.set(token, { expiresAtMs: now() + TOKEN_LIFETIME_S * 1000, revoked: false });
      return json(200, {
        access_token: token,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_S,
        ...extra,
      });
    };
    if (grant === "client_credentials") return issue({});
    if (grant === "refresh_token") {
      const refresh = form.get("refresh_token");
      if (refresh === null || !refreshTokens.has(refresh)) {
        return json(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
      }
      if (!options.rotateRefreshToken) return issue({ scope: USER_SCOPE });
      const rotated = `AQ${digest(`spotify-emulator:refresh:${refreshTokens.size}`).toString("base64url")}`;
      refreshTokens.add(rotated);
      return issue({ refresh_token: rotated, scope: USER_SCOPE });
    }
    return json(400, {
      error: "unsupported_grant_type",
      error_description:
        grant === null
          ? "grant_type parameter is missing"
          : `grant_type must be client_credentials or refresh_token`,
    });
  }

  function authorize(req: IncomingMessage): Reply | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!bearer) return error(401, "No token provided");
    const token = tokens.get(bearer[1]!);
    if (!token) return error(401, "Invalid access token");
    if (token.revoked || now() >= token.expiresAtMs) return error(401, "The access token expired");
    return undefined;
  }

  function renderEntry(entry: SpotifyPlaylistEntry, oldShape: boolean): unknown {
    if (!oldShape) return shape(entry);
    // The old endpoint's shape: the object under `track`, keys still in alphabetical order.
    const { item, ...rest } = entry;
    return shape({
      added_at: rest.added_at,
      added_by: rest.added_by,
      is_local: rest.is_local,
      primary_color: rest.primary_color,
      track: item,
      video_thumbnail: rest.video_thumbnail,
    });
  }

  function itemsPage(
    p: CataloguePlaylist,
    which: "items" | "tracks",
    params: URLSearchParams,
  ): Reply {
    const page = paging(params, which === "items" ? pageLimitMax : 100);
    if ("status" in page) return page;
    const { offset, limit } = page;
    const total = p.entries.length;
    const link = (o: number) =>
      `${pagingBase}/playlists/${p.playlist.id}/${which}?offset=${o}&limit=${limit}`;
    return json(200, {
      href: link(offset),
      items: p.entries.slice(offset, offset + limit).map((e) => renderEntry(e, which === "tracks")),
      limit,
      next: offset + limit < total ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, Math.min(offset, total) - limit)) : null,
      total,
    });
  }

  function playlistObject(p: CataloguePlaylist): Reply {
    const stub = (which: string) => ({
      href: `${pagingBase}/playlists/${p.playlist.id}/${which}`,
      total: p.entries.length,
    });
    const merged: Record<string, unknown> = { ...p.playlist, items: stub("items") };
    // Extended-quota apps still see the pre-2026 `tracks` field beside `items`.
    if (mode === "extended") merged.tracks = stub("tracks");
    const ordered = Object.fromEntries(
      Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    return json(200, shape(ordered));
  }

  function api(method: string, path: string, params: URLSearchParams): Reply {
    if (method !== "GET") return error(405, "Method not allowed");
    let m = /^\/v1\/playlists\/([^/]+)(?:\/(items|tracks))?$/.exec(path);
    if (m) {
      const [, id, sub] = m as unknown as [string, string, "items" | "tracks" | undefined];
      if (!ID.test(id)) return error(400, "Invalid base62 id");
      if (sub === "tracks" && mode === "development") return error(403, "Forbidden");
      const p = playlists.get(id);
      if (!p) return error(404, "Resource not found");
      return sub ? itemsPage(p, sub, params) : playlistObject(p);
    }
    m = /^\/v1\/artists\/([^/]+)$/.exec(path);
    if (m) {
      const id = m[1]!;
      if (!ID.test(id)) return error(400, "invalid id");
      const artist = artists.get(id);
      return artist ? json(200, shape(artist)) : error(404, "Resource not found");
    }
    if (path === "/v1/artists") {
      // Removed for development-mode apps in Feb 2026.
      if (mode === "development") return error(403, "Forbidden");
      const ids = params.get("ids");
      if (!ids) return error(400, "Missing required field: ids");
      const list = ids.split(",");
      if (list.length > 50) return error(400, "Too many ids requested");
      if (!list.every((id) => ID.test(id))) return error(400, "invalid id");
      return json(200, { artists: list.map((id) => shape(artists.get(id) ?? null)) });
    }
    return error(404, "Service not found");
  }

  function replay(method: string, path: string, query: string): Reply {
    const recorded = recording!.lookup(method, path, query);
    if (!recorded) {
      const request = `${method} ${path}${query ? `?${query}` : ""}`;
      return error(404, `Not in the replay recording: ${request}`);
    }
    return recorded;
  }

  function send(
    res: ServerResponse,
    log: RequestLogEntry,
    reply: Reply,
    fault?: "truncated" | "invalidJson",
  ) {
    const full = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
    const body = fault ? full.subarray(0, Math.floor(full.length / 2)) : full;
    log.status = reply.status;
    res.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "private, max-age=0",
      ...reply.headers,
      // A truncated answer announces the full length, then the connection drops.
      "content-length": String(fault === "truncated" ? full.length : body.length),
    });
    if (fault === "truncated") res.write(body, () => res.destroy());
    else res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const parsed = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = parsed.pathname;
    const query = parsed.search.slice(1);
    const log: RequestLogEntry = { method, path, query: redactQuery(query), status: 0 };
    requestLog.push(log);

    const body = method === "POST" ? await readBody(req) : "";
    if (latencyMs > 0) await sleep(latencyMs);

    const fault: Fault | undefined = faults.take(method, path);
    let cut: "truncated" | "invalidJson" | undefined;
    if (fault) {
      log.fault = faultLabel(fault);
      if (!("kind" in fault)) return send(res, log, httpFaultResponse(fault));
      switch (fault.kind) {
        case "reset":
          req.socket.destroy();
          return;
        case "delay":
          await sleep(fault.ms);
          break;
        case "expireTokens":
          expireTokens();
          break;
        case "truncated":
        case "invalidJson":
          cut = fault.kind;
          break;
      }
    }

    if (path === "/api/token") {
      if (method !== "POST") return send(res, log, error(405, "Method not allowed"), cut);
      return send(res, log, tokenEndpoint(req, body), cut);
    }
    if (!path.startsWith("/v1/") && path !== "/v1") {
      return send(res, log, error(404, "Service not found"), cut);
    }
    const denied = authorize(req);
    if (denied) return send(res, log, denied, cut);
    const reply = recording ? replay(method, path, query) : api(method, path, parsed.searchParams);
    return send(res, log, reply, cut);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    // No Date header: whole responses, not only bodies, stay comparable between runs.
    res.sendDate = false;
    handle(req, res).catch((cause: unknown) => {
      // A bug or a dropped client: answer 500 if still possible, never leak the request.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(
          apiError(500, `Emulator error: ${cause instanceof Error ? cause.message : "unknown"}`),
        );
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ready());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const apiBaseUrl = `${url}/v1`;
  pagingBase = (options.pagingBaseUrl ?? apiBaseUrl).replace(/\/+$/, "");

  return {
    url,
    apiBaseUrl,
    accountsBaseUrl: url,
    credentials,
    mode,
    requestLog,
    faults,
    expireTokens,
    close: () =>
      new Promise<void>((closed, fail) => {
        for (const socket of sockets) socket.destroy();
        server.close((err) => (err ? fail(err) : closed()));
      }),
  };
}
