// A loopback HTTP server playing Spotify for the client's tests: it records every request
// (method, path, Authorization header, body), answers through the test's own handler, with a
// token endpoint issuing `BQD-access-token-1`, `-2`, ..., and closes when the test ends. Also
// the client those tests drive (sleeps recorded, never slept; jitter fixed) and small readers
// of what happened.

import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";
import type { SpotifyRequestInfo } from "../../functions/commons/spotify";
import { SpotifyClient, type SpotifyClientOptions } from "../../functions/core/spotify/client";
import { spotifyError, tokenAnswer } from "./spotify-payloads";

/** The test app's credentials and the playlists its tests read. */
export const CLIENT_ID = "5f1c0d6a0b8e4c2f9a7d3b1e6c4a2f08";
export const CLIENT_SECRET = "c3VwZXJzZWNyZXQtY2xpZW50LXNlY3JldA";
export const REFRESH_TOKEN = "AQDx-refresh-token-of-the-authorizing-user-9f8e7d";
export const PLAYLIST_ID = "3cEYpjA9oz9GiPac4AsH4n";
export const OTHER_PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF";
/** The app's credentials with the refresh token of the user who authorized it. */
export const USER_CREDENTIALS = {
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  refreshToken: REFRESH_TOKEN,
};

export interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

/** A loopback server answering through `handler`; call it in a test, which closes it when done. */
export async function startServer(handler: Handler) {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: Received = {
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    received.push(request);
    await handler(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  onTestFinished(handle.close);
  return handle;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(bytes);
}

export const notFound = spotifyError(404, "Resource not found");

/** A fake Spotify: token endpoint issuing `token-1`, `token-2`, ... plus the test's API routes. */
export async function fakeSpotify(api: Handler, token: Handler = issueTokens()) {
  return startServer((req, res) => (req.path === "/api/token" ? token(req, res) : api(req, res)));
}

export function issueTokens(extra: Record<string, unknown> = {}): Handler {
  let issued = 0;
  return (_req, res) => {
    issued += 1;
    sendJson(
      res,
      200,
      tokenAnswer(`BQD-access-token-${issued}`, {
        scope: "playlist-read-private playlist-read-collaborative",
        ...extra,
      }),
    );
  };
}

/** A client of the fake at `origin`, recording the waits it asked for and the requests it made. */
export function clientFor(origin: string, options: Partial<SpotifyClientOptions> = {}) {
  const waits: number[] = [];
  const requests: SpotifyRequestInfo[] = [];
  const client = new SpotifyClient({
    credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    apiBaseUrl: `${origin}/v1`,
    accountsBaseUrl: origin,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.999,
    onRequest: (info) => requests.push(info),
    ...options,
  });
  return { client, waits, requests };
}

/** A client whose every request goes to `fetch` instead of a server, for tests that only watch the requests. */
export function clientWithFetch(
  fetch: typeof globalThis.fetch,
  options: Partial<SpotifyClientOptions> = {},
) {
  return new SpotifyClient({
    credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    fetch,
    ...options,
  });
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

/** The paths of the requests that were not token requests, in order. */
export const apiPaths = (received: Received[]) =>
  received.filter((r) => r.path !== "/api/token").map((r) => r.path);
export const itemsPath = (offset: number, playlistId = PLAYLIST_ID) =>
  `/v1/playlists/${playlistId}/items?offset=${offset}&limit=50`;
/** What the client requests for a `next` link of itemsPath: it adds additional_types. */
export const requestedItemsPath = (offset: number, playlistId = PLAYLIST_ID) =>
  `${itemsPath(offset, playlistId)}&additional_types=track,episode`;
