// Artists by id (functions/core/spotify/artist-lookup.ts), through the client against a
// loopback Spotify (or an injected fetch that counts requests in flight): batches of 50, the
// fallback to one request per artist and its memory, development mode, and the bound on
// requests in flight.

import { describe, expect, it } from "vitest";
import {
  apiPaths,
  clientFor,
  clientWithFetch,
  fakeSpotify,
  notFound,
  sendJson,
  USER_CREDENTIALS,
} from "../../support/loopback-spotify";
import { artist, sid, spotifyError, tokenAnswer } from "../../support/spotify-payloads";

describe("Class: SpotifyClient", () => {
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
      const { client } = clientFor(spotify.origin, {
        appMode: "development",
        credentials: USER_CREDENTIALS,
      });
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
      const client = clientWithFetch(fetchSpy, { artistConcurrency: 3 });
      const ids = Array.from({ length: 20 }, (_, n) => sid("ar", n));

      // Act
      const responses = await client.getArtists(ids);

      // Assess
      expect(peak).toBe(3);
      expect(responses.map((r) => (r.json as { id: string }).id)).toEqual(ids);
      expect(client.requestCount).toBe(1 + 1 + 20);
    });
  });
});
