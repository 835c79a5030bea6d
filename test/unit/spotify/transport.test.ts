// One HTTP exchange and its retry policy (functions/core/spotify/transport.ts), through the
// client against a loopback Spotify (or an injected fetch where only the request matters):
// which failures are retried in process and how long each wait is, when a 429 is slept and
// when it becomes SpotifyRateLimitedError for the state machine, and timeouts.

import { describe, expect, it } from "vitest";
import { SpotifyRateLimitedError, SpotifyTransientError } from "../../../functions/commons/errors";
import {
  PLAYLIST_ID,
  caught,
  clientFor,
  clientWithFetch,
  collect,
  fakeSpotify,
  sendJson,
} from "../../support/loopback-spotify";
import {
  itemsPage,
  playlistObject,
  spotifyError,
  tokenAnswer,
} from "../../support/spotify-payloads";

describe("Class: SpotifyClient", () => {
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
        `Spotify GET /playlists/${PLAYLIST_ID} failed 8 time(s); last cause: 502 "Bad Gateway"`,
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
      const client = clientWithFetch(fetchSpy);

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
      expect(error.message).toBe(
        "Spotify rate limit: the app's request quota is spent (QUOTA_EXCEEDED, Retry-After 1 s)",
      );
      expect(waits).toEqual([]);
    });

    it("surfaces a 429 without Retry-After, even with an empty body, as a spent quota at once", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 429, ""));
      const { client, waits } = clientFor(spotify.origin, { maxAttempts: 3 });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(waits).toEqual([]);
      expect(spotify.received.filter((r) => r.path !== "/api/token")).toHaveLength(1);
      expect(error).toMatchObject({ name: "SpotifyRateLimitedError", quotaExceeded: true });
      expect(error.message).toContain("request quota is spent (QUOTA_EXCEEDED, no Retry-After)");
    });
  });
});
