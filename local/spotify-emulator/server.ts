// A local stand-in for the Spotify Web API and its token endpoint, so the pipeline runs and is
// tested with no internet. It serves a catalogue (the deterministic sample by default) or a
// recorded folder of real responses, speaks Spotify's paths, paging and error bodies, behaves
// like an extended-quota or a development-mode app, and can be told to fail on purpose.
// Same catalogue + same request => byte-identical body (no timestamps, stable key order).
//
// This file is the HTTP shell: it checks the options, listens on 127.0.0.1, parses each
// request, logs it, applies the next matching fault, then hands it to the token service
// (`/api/token`), the consent screen (`/authorize`) or, once the bearer token passes, to the
// `/v1` routes (catalogue or replay), and writes the reply.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { catalogueRoutes, type SpotifyAppMode } from "./catalogue-routes";
import { createAuthorizationService } from "./authorization";
import { FaultQueue, faultLabel, httpFaultResponse, type Fault } from "./faults";
import { readBody, redactQuery, writeReply, type BodyCut } from "./http-io";
import { quotaCounter } from "./quota";
import { loadRecording, replayRoutes } from "./replay";
import { errorBody, errorReply, type ApiRequest, type Reply } from "./reply";
import { catalogueAt, type EvolutionOptions } from "./evolution";
import { generateSampleCatalogue, sampleUser } from "./sample-data";
import type { EmulatorQuota } from "./quota";
import { createTokenService, defaultCredentials, type EmulatorCredentials } from "./token-service";
import type { SpotifyCatalogue, SpotifyPrivateUser } from "./types";

export type { SpotifyAppMode } from "./catalogue-routes";
export type { EmulatorCredentials } from "./token-service";
export type { EmulatorQuota } from "./quota";

export interface SpotifyEmulatorOptions {
  /** What to serve; the default sample (scale 1) when absent. */
  catalogue?: SpotifyCatalogue;
  /**
   * Serve the catalogue as it stands at this snapshot hour (evolution.ts): playlists change
   * hour by hour at `changeRate` (default 0.1). Without it, the catalogue as given.
   */
  evolution?: EvolutionOptions;
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
  /**
   * The refresh grant then also returns a new refresh token: `true` keeps both valid,
   * `"single-use"` spends the old one, as Spotify does for PKCE clients.
   */
  rotateRefreshToken?: boolean | "single-use";
  /** The configured refresh token came from a PKCE authorization: refreshed without a secret. */
  pkceRefreshToken?: boolean;
  /** The authorizing user every user token speaks for; default: the sample user. */
  user?: SpotifyPrivateUser;
  /**
   * The app's registered redirect URIs (default `http://127.0.0.1/callback`: a portless
   * loopback registration, which accepts any port, as Spotify's does).
   */
  redirectUris?: readonly string[];
  /** What the scripted user does on the consent screen (default "approve"). */
  consent?: "approve" | "deny";
  /**
   * The app's request quota, as development-mode Spotify counts it (per developer account,
   * over a rolling window): past `requests` API requests within `windowMs`, every request
   * answers 429 with `"reason": "QUOTA_EXCEEDED"` until old ones leave the window. `answer`
   * picks the form Spotify sometimes uses: "json" (with Retry-After, the default),
   * "noRetryAfter" (the same body, no header) or "empty" (no header, empty body).
   */
  quota?: EmulatorQuota;
  /** Clock for token expiry and the quota window (ms since epoch); real time by default. */
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
  /** The authorizing user (`GET /v1/me`). */
  user: SpotifyPrivateUser;
  /** Every request in arrival order; never holds headers, bodies or secrets. */
  requestLog: RequestLogEntry[];
  faults: FaultQueue;
  /** Same as the `expireTokens` fault: every token issued so far is now expired. */
  expireTokens(): void;
  close(): Promise<void>;
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
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const credentials: EmulatorCredentials = { ...defaultCredentials(), ...options.credentials };
  const now = options.now ?? Date.now;
  const user = options.user ?? sampleUser();
  const tokens = createTokenService({
    credentials,
    rotateRefreshToken: options.rotateRefreshToken ?? false,
    pkceRefreshToken: options.pkceRefreshToken ?? false,
    now,
    authorization: createAuthorizationService({
      clientId: credentials.clientId,
      redirectUris: options.redirectUris ?? ["http://127.0.0.1/callback"],
      consent: options.consent ?? "approve",
      now,
    }),
  });
  const consentScreen = tokens.authorization;
  const overQuota = quotaCounter(options.quota, options.now ?? Date.now);
  const recording = options.replayDir ? await loadRecording(options.replayDir) : undefined;
  const requestLog: RequestLogEntry[] = [];
  const faults = new FaultQueue();

  const server = createServer();
  const sockets = new Set<Socket>();
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

  // Paging links need the port, so the routes exist only now; no request has been accepted
  // yet, as this runs in the same turn of the event loop as the "listening" callback.
  const routes = recording
    ? replayRoutes(recording)
    : catalogueRoutes({
        catalogue: options.evolution
          ? catalogueAt(options.catalogue ?? generateSampleCatalogue(), options.evolution)
          : (options.catalogue ?? generateSampleCatalogue()),
        mode,
        pageLimitMax,
        pagingBase: (options.pagingBaseUrl ?? apiBaseUrl).replace(/\/+$/, ""),
        user,
      });

  function answer(request: ApiRequest, authorization: string | undefined, body: string): Reply {
    const { method, path } = request;
    if (path === "/api/token") return tokens.tokenEndpoint(method, authorization, body);
    if (path === "/authorize" && method === "GET")
      return consentScreen.authorizePage(request.params);
    if (!path.startsWith("/v1/") && path !== "/v1") return errorReply(404, "Service not found");
    const refused = tokens.authorize(authorization);
    if (refused) return refused;
    const token = tokens.tokenKind(authorization);
    return routes(token ? { ...request, token } : request);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const parsed = new URL(req.url ?? "/", "http://emulator.invalid");
    const request: ApiRequest = {
      method,
      path: parsed.pathname,
      query: parsed.search.slice(1),
      params: parsed.searchParams,
    };
    const log: RequestLogEntry = {
      method,
      path: request.path,
      query: redactQuery(request.query),
      status: 0,
    };
    requestLog.push(log);
    const respond = (reply: Reply, cut?: BodyCut) => {
      log.status = reply.status;
      writeReply(res, reply, cut);
    };

    const body = method === "POST" ? await readBody(req) : "";
    if (latencyMs > 0) await sleep(latencyMs);

    const fault: Fault | undefined = faults.take(method, request.path);
    let cut: BodyCut | undefined;
    if (fault) {
      log.fault = faultLabel(fault);
      if (!("kind" in fault)) return respond(httpFaultResponse(fault));
      switch (fault.kind) {
        case "reset":
          req.socket.destroy();
          return;
        case "delay":
          await sleep(fault.ms);
          break;
        case "expireTokens":
          tokens.expireTokens();
          break;
        case "truncated":
        case "invalidJson":
          cut = fault.kind;
          break;
      }
    }
    const quotaAnswer = request.path.startsWith("/v1") ? overQuota() : undefined;
    if (quotaAnswer) {
      log.fault = "quota";
      return respond(httpFaultResponse(quotaAnswer));
    }
    respond(answer(request, req.headers.authorization, body), cut);
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // No Date header: whole responses, not only bodies, stay comparable between runs.
    res.sendDate = false;
    handle(req, res).catch((cause: unknown) => {
      // A bug or a dropped client: answer 500 if still possible, never leak the request.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(
          errorBody(500, `Emulator error: ${cause instanceof Error ? cause.message : "unknown"}`),
        );
      }
    });
  });

  return {
    url,
    apiBaseUrl,
    accountsBaseUrl: url,
    credentials,
    mode,
    user,
    requestLog,
    faults,
    expireTokens: tokens.expireTokens,
    close: () =>
      new Promise<void>((closed, fail) => {
        for (const socket of sockets) socket.destroy();
        server.close((err) => (err ? fail(err) : closed()));
      }),
  };
}
