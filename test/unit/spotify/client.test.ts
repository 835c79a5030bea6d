// Specification of the Spotify client against loopback HTTP servers started here (or an
// injected fetch where only timing matters): paging, token handling, retries, rate limits,
// error mapping, and that no secret ever leaves in an error, a log line or a request.

import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidInputError,
  PlaylistUnavailableError,
  SpotifyAuthError,
  SpotifyRateLimitedError,
  SpotifyRequestError,
  SpotifyTransientError,
} from "../../../functions/commons/errors";
import { SpotifyClient } from "../../../functions/core/spotify/client";
import type { SpotifyClientOptions } from "../../../functions/core/spotify/client";
import type { SpotifyRequestInfo } from "../../../functions/commons/spotify";
import { artistIdsOfPage, entryKindOf, entryTrack } from "../../../functions/core/spotify/entries";
import {
  SPOTIFY_API,
  artist,
  itemsPage,
  localFileEntry,
  playlistEntry,
  playlistObject,
  removedEntry,
  sid,
  simplifiedArtist,
  spotifyError,
  tokenAnswer,
  track,
} from "../../support/spotify-payloads";

// ---------------------------------------------------------------------------------------
// Credentials and ids of the test app and its playlists.

const CLIENT_ID = "5f1c0d6a0b8e4c2f9a7d3b1e6c4a2f08";
const CLIENT_SECRET = "c3VwZXJzZWNyZXQtY2xpZW50LXNlY3JldA";
const REFRESH_TOKEN = "AQDx-refresh-token-of-the-authorizing-user-9f8e7d";
const PLAYLIST_ID = "3cEYpjA9oz9GiPac4AsH4n";
const OTHER_PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF";

// ---------------------------------------------------------------------------------------
// A loopback server that records what it receives and answers through a test's handler.

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(handler: Handler) {
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
  servers.push(handle);
  return handle;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(bytes);
}

const notFound = spotifyError(404, "Resource not found");

/** A fake Spotify: token endpoint issuing `token-1`, `token-2`, ... plus the test's API routes. */
async function fakeSpotify(api: Handler, token: Handler = issueTokens()) {
  return startServer((req, res) => (req.path === "/api/token" ? token(req, res) : api(req, res)));
}

function issueTokens(extra: Record<string, unknown> = {}): Handler {
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

function clientFor(origin: string, options: Partial<SpotifyClientOptions> = {}) {
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

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

const apiPaths = (received: Received[]) =>
  received.filter((r) => r.path !== "/api/token").map((r) => r.path);
const itemsPath = (offset: number, playlistId = PLAYLIST_ID) =>
  `/v1/playlists/${playlistId}/items?offset=${offset}&limit=50`;

// ---------------------------------------------------------------------------------------

describe("Module: entries", () => {
  it("finds the track under `item` (2026 shape) and under `track` (older shape)", () => {
    // Prepare
    const modern = playlistEntry(track(1), { shape: "item" });
    const older = playlistEntry(track(2), { shape: "track" });

    // Act / Assess
    expect(entryTrack(modern)?.id).toBe(sid("tr", 1));
    expect(entryTrack(older)?.id).toBe(sid("tr", 2));
    expect(entryKindOf(modern)).toBe("track");
    expect(entryKindOf(older)).toBe("track");
  });

  it("classifies removed content, podcast episodes and local files", () => {
    // Prepare
    const removed = removedEntry();
    const episode = { added_at: null, item: { type: "episode", id: sid("ep", 1), name: "Ep. 1" } };
    const local = localFileEntry({
      name: "demo.mp3",
      addedAt: "2014-05-01T10:00:00Z",
      shape: "track",
    });

    // Act / Assess
    expect(entryKindOf(null)).toBe("null_entry");
    expect(entryKindOf(removed)).toBe("null_entry");
    expect(entryKindOf(episode)).toBe("episode");
    expect(entryKindOf(local)).toBe("local_file");
    expect(entryTrack(removed)).toBeNull();
  });

  it("treats `item: null` as removed even beside an old `track` copy, and calls non-objects malformed", () => {
    const migrated = { item: null, track: { type: "track", id: sid("tr", 9), artists: [] } };
    expect(entryKindOf(migrated)).toBe("null_entry");
    expect(entryTrack(migrated)).toBeNull();
    expect(entryKindOf("spotify:track:x")).toBe("malformed");
    expect(entryKindOf({ item: 42 })).toBe("malformed");
  });

  it("lists a page's distinct, valid track artist ids, sorted, skipping everything that is not a track", () => {
    // Prepare
    const page = itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 10 });
    page.items.push(
      { item: { type: "episode", artists: [simplifiedArtist(sid("ar", 900))] } } as never,
      localFileEntry({ name: "demo.mp3", addedAt: "2014-05-01T10:00:00Z" }) as never,
      null as never,
    );

    // Act
    const ids = artistIdsOfPage(page);

    // Assess
    const expected = [...new Set(page.items.slice(0, 10).flatMap((_, n) => [n % 7, (n % 7) + 100]))]
      .map((n) => sid("ar", n))
      .sort();
    expect(ids).toEqual(expected);
    expect(ids).not.toContain(sid("ar", 900));
    expect(artistIdsOfPage({ error: "not a page" })).toEqual([]);
  });
});

describe("Class: SpotifyClient", () => {
  describe("Method: playlistItemPages", () => {
    it("follows `next` across three pages, re-basing api.spotify.com links onto the configured base", async () => {
      // Prepare
      const sent: Buffer[] = [];
      const spotify = await fakeSpotify((req, res) => {
        const offset = Number(new URL(req.path, "http://x").searchParams.get("offset"));
        const body = Buffer.from(
          JSON.stringify(itemsPage({ playlistId: PLAYLIST_ID, offset, total: 120 })),
        );
        sent.push(body);
        sendJson(res, 200, body.toString("utf8"));
      });
      const { client } = clientFor(spotify.origin);

      // Act
      const pages = await collect(client.playlistItemPages(PLAYLIST_ID));

      // Assess
      expect(apiPaths(spotify.received)).toEqual([
        `/v1/playlists/${PLAYLIST_ID}/items?limit=50&offset=0`,
        itemsPath(50),
        itemsPath(100),
      ]);
      expect(pages.map((p) => (p.json as { items: unknown[] }).items.length)).toEqual([50, 50, 20]);
      expect(pages.map((p) => Buffer.from(p.body))).toEqual(sent);
      expect(pages[1]!.url).toBe(`${spotify.origin}${itemsPath(50)}`);
      expect(pages[1]!.canonicalUrl).toBe(`https://api.spotify.com${itemsPath(50)}`);
      expect(
        spotify.received.every(
          (r) => r.path === "/api/token" || r.authorization === "Bearer BQD-access-token-1",
        ),
      ).toBe(true);
    });

    it("accepts pages in the older `track` shape", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(
          res,
          200,
          itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 3, shape: "track" }),
        ),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const [page] = await collect(client.playlistItemPages(PLAYLIST_ID));

      // Assess
      expect(artistIdsOfPage(page!.json)).toEqual(
        [0, 1, 2, 100, 101, 102].map((n) => sid("ar", n)).sort(),
      );
    });

    it("never sends the token to the host a `next` link names", async () => {
      // Prepare
      const elsewhere = await startServer((_req, res) => sendJson(res, 200, {}));
      const spotify = await fakeSpotify((req, res) => {
        const offset = Number(new URL(req.path, "http://x").searchParams.get("offset"));
        sendJson(
          res,
          200,
          itemsPage({ playlistId: PLAYLIST_ID, offset, total: 60, host: `${elsewhere.origin}/v1` }),
        );
      });
      const { client } = clientFor(spotify.origin);

      // Act
      const pages = await collect(client.playlistItemPages(PLAYLIST_ID));

      // Assess
      expect(pages).toHaveLength(2);
      expect(elsewhere.received).toEqual([]);
      expect(apiPaths(spotify.received)).toContain(itemsPath(50));
    });

    it("refuses a `next` that leaves this playlist's items", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, {
          ...itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 60 }),
          next: `${SPOTIFY_API}/me/playlists?offset=0`,
        }),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(collect(client.playlistItemPages(PLAYLIST_ID)));

      // Assess
      expect(error).toBeInstanceOf(SpotifyRequestError);
      expect(error.message).toMatch(
        /next points to \/v1\/me\/playlists, not to this playlist's items/,
      );
      expect(apiPaths(spotify.received)).toHaveLength(1);
    });

    it("stops with an error when `next` loops back to an offset already read", async () => {
      // Prepare
      const spotify = await fakeSpotify((req, res) => {
        const offset = Number(new URL(req.path, "http://x").searchParams.get("offset"));
        const page = itemsPage({ playlistId: PLAYLIST_ID, offset, total: 150 });
        sendJson(
          res,
          200,
          offset === 50 ? { ...page, next: `${SPOTIFY_API}${itemsPath(0).slice(3)}` } : page,
        );
      });
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(collect(client.playlistItemPages(PLAYLIST_ID)));

      // Assess
      expect(error).toBeInstanceOf(SpotifyRequestError);
      expect(error.message).toContain("next loops back to offset 0");
    });

    it("reports, without failing, a total that does not match the entries received", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, {
          ...itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 30 }),
          total: 31,
        }),
      );
      const warnings: Record<string, unknown>[] = [];
      const { client } = clientFor(spotify.origin, {
        onWarning: (_m, details) => warnings.push(details),
      });

      // Act
      const pages = await collect(client.playlistItemPages(PLAYLIST_ID));

      // Assess
      expect(pages).toHaveLength(1);
      expect(warnings).toEqual([{ playlistId: PLAYLIST_ID, declaredTotal: 31, received: 30 }]);
    });

    it("names the playlist when its items are forbidden (development mode, not the owner's playlist)", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 403, spotifyError(403, "Forbidden")),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(collect(client.playlistItemPages(OTHER_PLAYLIST_ID)));

      // Assess
      expect(error).toBeInstanceOf(PlaylistUnavailableError);
      expect((error as PlaylistUnavailableError).playlistIds).toEqual([OTHER_PLAYLIST_ID]);
      expect(error.message).toContain(`${OTHER_PLAYLIST_ID}: 403 Forbidden`);
      expect(error.message).toContain("owns or collaborates on");
    });
  });

  describe("Method: getPlaylist", () => {
    it("returns the exact bytes, the status and the request URL", async () => {
      // Prepare
      const playlist = playlistObject(PLAYLIST_ID, { total: 120, name: 'Snapshots, "quoted"' });
      const body = `${JSON.stringify(playlist, null, 1)}\n`;
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 200, body));
      const { client } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(new TextDecoder().decode(response.body)).toBe(body);
      expect(response.status).toBe(200);
      expect(response.url).toBe(`${spotify.origin}/v1/playlists/${PLAYLIST_ID}`);
      expect((response.json as { name: string }).name).toBe('Snapshots, "quoted"');
    });

    it("turns a 404 into PlaylistUnavailableError naming the playlist", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 404, notFound));
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(OTHER_PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(PlaylistUnavailableError);
      expect(error.name).toBe("PlaylistUnavailableError");
      expect(error.message).toBe(
        `Playlist unavailable: ${OTHER_PLAYLIST_ID}: 404 Resource not found (GET /playlists/${OTHER_PLAYLIST_ID})`,
      );
    });

    it("turns other 4xx answers into SpotifyRequestError with status and endpoint", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 400, spotifyError(400, "Invalid limit")),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyRequestError);
      expect(error.message).toBe(
        `Spotify GET /playlists/${PLAYLIST_ID} answered 400: Invalid limit`,
      );
    });

    it("refuses an id that is not a Spotify id before making any request", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 200, {}));
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist("../../me/playlists"));

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(spotify.received).toEqual([]);
    });
  });

  describe("Behaviour: transient failures", () => {
    it("retries 500, 503 and a reset connection with growing full-jitter backoff, then succeeds", async () => {
      // Prepare
      let calls = 0;
      const spotify = await fakeSpotify((_req, res) => {
        calls += 1;
        if (calls === 1) return sendJson(res, 500, spotifyError(500, "Server error"));
        if (calls === 2) return sendJson(res, 503, "<html>Service Unavailable</html>");
        if (calls === 3) return void res.socket?.destroy();
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 }));
      });
      const { client, waits, requests } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(response.status).toBe(200);
      expect(waits).toEqual([499, 999, 1998]);
      expect(
        requests.filter((r) => r.url.includes("/playlists/")).map((r) => [r.status, r.attempt]),
      ).toEqual([
        [500, 1],
        [503, 2],
        [0, 3],
        [200, 4],
      ]);
      expect(client.requestCount).toBe(5);
    });

    it("draws each wait uniformly below a ceiling that doubles from 500 ms and stops at 8 s", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 502, "Bad Gateway"));
      const draws = [0.5, 0.25, 0.999, 0.999, 0.999, 0.999, 0];
      const { client, waits } = clientFor(spotify.origin, {
        maxAttempts: 8,
        random: () => draws.shift()!,
      });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(waits).toEqual([250, 250, 1998, 3996, 7992, 7992, 0]);
      expect(Math.max(...waits)).toBeLessThanOrEqual(8000);
      expect(error).toBeInstanceOf(SpotifyTransientError);
      expect(error.message).toBe(
        `Spotify GET /playlists/${PLAYLIST_ID} failed 8 time(s); last cause: 502 (no error message)`,
      );
    });

    it("retries a 200 whose body is truncated or not JSON", async () => {
      // Prepare
      let calls = 0;
      const full = JSON.stringify(itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 10 }));
      const spotify = await fakeSpotify((_req, res) => {
        calls += 1;
        if (calls === 1) {
          // Announces the whole body, sends half, hangs up.
          res.writeHead(200, { "content-type": "application/json", "content-length": full.length });
          res.write(full.slice(0, full.length / 2));
          return void res.socket?.destroy();
        }
        if (calls === 2) return sendJson(res, 200, full.slice(0, 100));
        sendJson(res, 200, full);
      });
      const { client, waits } = clientFor(spotify.origin);

      // Act
      const pages = await collect(client.playlistItemPages(PLAYLIST_ID));

      // Assess
      expect(new TextDecoder().decode(pages[0]!.body)).toBe(full);
      expect(waits).toHaveLength(2);
    });

    it("gives up on a server that never answers after the timeout, naming the endpoint", async () => {
      // Prepare
      const spotify = await fakeSpotify(() => {
        // never answers
      });
      const { client, waits } = clientFor(spotify.origin, { requestTimeoutMs: 30, maxAttempts: 2 });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyTransientError);
      expect(error.message).toBe(
        `Spotify GET /playlists/${PLAYLIST_ID} failed 2 time(s); last cause: no complete answer within 30 ms`,
      );
      expect(waits).toHaveLength(1);
    });

    it("passes a timeout signal to every request", async () => {
      // Prepare
      const signals: (AbortSignal | null | undefined)[] = [];
      const fetchSpy: typeof fetch = async (_url, init) => {
        signals.push(init?.signal);
        return new Response(JSON.stringify(tokenAnswer("BQD-access-token-1")));
      };
      const client = new SpotifyClient({
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        fetch: fetchSpy,
      });

      // Act
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(signals).toHaveLength(2);
      expect(signals.every((s) => s instanceof AbortSignal && !s.aborted)).toBe(true);
    });
  });

  describe("Behaviour: rate limits", () => {
    it("sleeps a short Retry-After in process and retries", async () => {
      // Prepare
      let calls = 0;
      const spotify = await fakeSpotify((_req, res) => {
        calls += 1;
        if (calls === 1)
          return sendJson(res, 429, spotifyError(429, "API rate limit exceeded"), {
            "retry-after": "2",
          });
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 }));
      });
      const { client, waits } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(response.status).toBe(200);
      expect(waits).toEqual([2000]);
    });

    it("surfaces a long Retry-After as SpotifyRateLimitedError carrying the seconds, without sleeping", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 429, spotifyError(429, "API rate limit exceeded"), {
          "retry-after": "86400",
        }),
      );
      const { client, waits } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyRateLimitedError);
      expect(error).toMatchObject({ retryAfterSeconds: 86400, quotaExceeded: false });
      expect(waits).toEqual([]);
    });

    it("surfaces a QUOTA_EXCEEDED 429 at once, even with a short Retry-After", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 429, spotifyError(429, "Quota exceeded", { reason: "QUOTA_EXCEEDED" }), {
          "retry-after": "1",
        }),
      );
      const { client, waits } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toMatchObject({
        name: "SpotifyRateLimitedError",
        retryAfterSeconds: 1,
        quotaExceeded: true,
      });
      expect(error.message).toBe("Spotify rate limit: asked to wait 1 s (QUOTA_EXCEEDED)");
      expect(waits).toEqual([]);
    });

    it("waits 1 s when a 429 has no Retry-After, and surfaces the limit once attempts run out", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 429, ""));
      const { client, waits } = clientFor(spotify.origin, { maxAttempts: 3 });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(waits).toEqual([1000, 1000]);
      expect(error).toMatchObject({ name: "SpotifyRateLimitedError", retryAfterSeconds: 1 });
    });
  });

  describe("Behaviour: tokens", () => {
    it("uses the client-credentials grant with Basic auth and reuses the token until shortly before expiry", async () => {
      // Prepare
      let now = Date.UTC(2026, 10, 22, 5);
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin, { now: () => now });

      // Act
      await client.getPlaylist(PLAYLIST_ID);
      now += 3_000_000;
      await client.getPlaylist(PLAYLIST_ID);
      now += 600_000; // 3,600 s after issue: past the renewal margin
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      const tokenRequests = spotify.received.filter((r) => r.path === "/api/token");
      expect(tokenRequests).toHaveLength(2);
      expect(tokenRequests[0]).toMatchObject({
        method: "POST",
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        body: "grant_type=client_credentials",
      });
      expect(spotify.received.at(-1)!.authorization).toBe("Bearer BQD-access-token-2");
    });

    it("uses the refresh-token grant when a refresh token is configured and exposes a rotated one", async () => {
      // Prepare
      const spotify = await fakeSpotify(
        (_req, res) => sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
        issueTokens({ refresh_token: "AQD-rotated-refresh-token-0001" }),
      );
      const { client } = clientFor(spotify.origin, {
        credentials: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          refreshToken: REFRESH_TOKEN,
        },
      });

      // Act
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      const [tokenRequest] = spotify.received.filter((r) => r.path === "/api/token");
      expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({
        grant_type: "refresh_token",
        refresh_token: REFRESH_TOKEN,
      });
      expect(client.rotatedRefreshToken).toBe("AQD-rotated-refresh-token-0001");
    });

    it("renews an expired access token once and retries the request", async () => {
      // Prepare
      const spotify = await fakeSpotify((req, res) =>
        req.authorization === "Bearer BQD-access-token-1"
          ? sendJson(res, 401, spotifyError(401, "The access token expired"))
          : sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(response.status).toBe(200);
      expect(
        spotify.received.map((r) => (r.path === "/api/token" ? "token" : r.authorization)),
      ).toEqual(["token", "Bearer BQD-access-token-1", "token", "Bearer BQD-access-token-2"]);
    });

    it("fails with SpotifyAuthError when a renewed token is refused too", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 401, spotifyError(401, "Invalid access token")),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyAuthError);
      expect(error.message).toContain(
        "answered 401 (Invalid access token) even with a newly issued access token",
      );
      expect(spotify.received.filter((r) => r.path === "/api/token")).toHaveLength(2);
    });

    it("names the refused grant and never the secret or the refresh token", async () => {
      // Prepare: an accounts service that (wrongly) echoes the credentials it was sent.
      const spotify = await fakeSpotify(
        (_req, res) => sendJson(res, 200, {}),
        (req, res) =>
          sendJson(res, 400, {
            error: "invalid_grant",
            error_description: `Invalid refresh token ${REFRESH_TOKEN} for ${CLIENT_SECRET}: ${req.body}`,
          }),
      );
      const { client } = clientFor(spotify.origin, {
        credentials: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          refreshToken: REFRESH_TOKEN,
        },
      });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyAuthError);
      expect(error.message).toMatch(
        /^Spotify refused the refresh_token grant: 400 invalid_grant: Invalid refresh token \[redacted\]/,
      );
      expect(error.message).toContain("re-authorize the app");
      expect(error.message).not.toContain(REFRESH_TOKEN);
      expect(error.message).not.toContain(CLIENT_SECRET);
    });
  });

  describe("Method: getArtists", () => {
    it("fetches up to 50 ids per batch request", async () => {
      // Prepare
      const ids = Array.from({ length: 120 }, (_, n) => sid("ar", n));
      const spotify = await fakeSpotify((req, res) => {
        const asked = new URL(req.path, "http://x").searchParams.get("ids")!.split(",");
        sendJson(res, 200, { artists: asked.map((id) => artist(id)) });
      });
      const { client } = clientFor(spotify.origin);

      // Act
      const responses = await client.getArtists(ids);

      // Assess
      expect(responses.map((r) => (r.json as { artists: unknown[] }).artists.length)).toEqual([
        50, 50, 20,
      ]);
      expect(apiPaths(spotify.received)[1]).toBe(`/v1/artists?ids=${ids.slice(50, 100).join(",")}`);
    });

    it("falls back to one request per artist when the batch endpoint is forbidden, and remembers it", async () => {
      // Prepare
      const missing = sid("ar", 3);
      const spotify = await fakeSpotify((req, res) => {
        if (req.path.startsWith("/v1/artists?"))
          return sendJson(res, 403, spotifyError(403, "Forbidden"));
        const id = req.path.split("/").at(-1)!;
        if (id === missing) return sendJson(res, 404, notFound);
        sendJson(res, 200, artist(id));
      });
      const { client } = clientFor(spotify.origin);
      const first = [0, 1, 2, 3, 4, 5].map((n) => sid("ar", n));
      const second = [6, 7].map((n) => sid("ar", n));

      // Act
      const responses = await client.getArtists(first);
      const later = await client.getArtists(second);

      // Assess
      expect(responses.map((r) => r.url.split("/").at(-1))).toEqual(first);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 404, 200, 200]);
      expect(later.map((r) => r.status)).toEqual([200, 200]);
      expect(apiPaths(spotify.received).filter((p) => p.startsWith("/v1/artists?"))).toHaveLength(
        1,
      );
    });

    it("never spends a request on the batch endpoint for a development-mode app", async () => {
      // Prepare
      const spotify = await fakeSpotify((req, res) => {
        const id = req.path.split("/").at(-1)!;
        sendJson(res, 200, artist(id));
      });
      const { client } = clientFor(spotify.origin, { appMode: "development" });
      const ids = [0, 1, 2].map((n) => sid("ar", n));

      // Act
      const responses = await client.getArtists(ids);

      // Assess: token + one request per artist, the minimum for this data.
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(apiPaths(spotify.received)).toEqual(ids.map((id) => `/v1/artists/${id}`));
      expect(client.requestCount).toBe(1 + ids.length);
    });

    it("keeps at most `artistConcurrency` single-artist requests in flight", async () => {
      // Prepare
      let inFlight = 0;
      let peak = 0;
      const fetchSpy: typeof fetch = async (url) => {
        const href = String(url);
        if (href.endsWith("/api/token")) {
          return new Response(JSON.stringify(tokenAnswer("BQD-access-token-1")));
        }
        if (href.includes("/artists?ids="))
          return new Response(JSON.stringify(notFound), { status: 404 });
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return new Response(JSON.stringify(artist(href.split("/").at(-1)!)));
      };
      const client = new SpotifyClient({
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        fetch: fetchSpy,
        artistConcurrency: 3,
      });
      const ids = Array.from({ length: 20 }, (_, n) => sid("ar", n));

      // Act
      const responses = await client.getArtists(ids);

      // Assess
      expect(peak).toBe(3);
      expect(responses.map((r) => (r.json as { id: string }).id)).toEqual(ids);
      expect(client.requestCount).toBe(1 + 1 + 20);
    });
  });

  describe("Behaviour: secrets", () => {
    it("keeps the client secret, refresh token and access tokens out of every error, URL and request report", async () => {
      // Prepare
      const scenarios: Handler[] = [
        (_req, res) => sendJson(res, 401, spotifyError(401, "Invalid access token")),
        (_req, res) => sendJson(res, 404, notFound),
        (_req, res) => sendJson(res, 500, spotifyError(500, "Server error")),
        (req, res) =>
          sendJson(res, 400, {
            error: { status: 400, message: `bad header ${req.authorization}` },
          }),
        (_req, res) =>
          sendJson(res, 429, { error: { reason: "QUOTA_EXCEEDED" } }, { "retry-after": "3600" }),
      ];
      const texts: string[] = [];

      for (const scenario of scenarios) {
        const spotify = await fakeSpotify(scenario);
        const { client, requests } = clientFor(spotify.origin, {
          credentials: {
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            refreshToken: REFRESH_TOKEN,
          },
        });

        // Act
        const error = await caught(client.getPlaylist(PLAYLIST_ID));
        texts.push(error.message, String(error.stack), JSON.stringify(requests));
      }

      // Assess
      const all = texts.join("\n");
      expect(all).toContain("Spotify GET /playlists/");
      for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, "BQD-access-token"]) {
        expect(all).not.toContain(secret);
      }
    });
  });
});
