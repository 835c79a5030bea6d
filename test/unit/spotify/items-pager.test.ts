// Paging through a playlist's items (functions/core/spotify/items-pager.ts), through the client
// facade against a loopback Spotify: following `next` re-based onto the configured API base,
// refusing a `next` that leaves the playlist or loops, a declared total that does not match,
// and a playlist whose items are forbidden.

import { describe, expect, it } from "vitest";
import { PlaylistUnavailableError, SpotifyRequestError } from "../../../functions/commons/errors";
import { artistIdsOfPage } from "../../../functions/core/spotify/entries";
import {
  OTHER_PLAYLIST_ID,
  PLAYLIST_ID,
  apiPaths,
  caught,
  clientFor,
  collect,
  fakeSpotify,
  itemsPath,
  requestedItemsPath,
  sendJson,
  startServer,
} from "../../support/loopback-spotify";
import { SPOTIFY_API, itemsPage, sid, spotifyError } from "../../support/spotify-payloads";

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
        `/v1/playlists/${PLAYLIST_ID}/items?limit=50&offset=0&additional_types=track,episode`,
        requestedItemsPath(50),
        requestedItemsPath(100),
      ]);
      expect(pages.map((p) => (p.json as { items: unknown[] }).items.length)).toEqual([50, 50, 20]);
      expect(pages.map((p) => Buffer.from(p.body))).toEqual(sent);
      expect(pages[1]!.url).toBe(`${spotify.origin}${requestedItemsPath(50)}`);
      expect(pages[1]!.canonicalUrl).toBe(`https://api.spotify.com${requestedItemsPath(50)}`);
      expect(
        spotify.received.every(
          (r) => r.path === "/api/token" || r.authorization === "Bearer BQD-access-token-1",
        ),
      ).toBe(true);
    });

    it("goes on from the first page the playlist object embedded, one request fewer", async () => {
      // Prepare
      const spotify = await fakeSpotify((req, res) => {
        const offset = Number(new URL(req.path, "http://x").searchParams.get("offset"));
        sendJson(res, 200, itemsPage({ playlistId: PLAYLIST_ID, offset, total: 120 }));
      });
      const { client } = clientFor(spotify.origin);
      const embedded = itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 120 });
      const single = itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 20 });

      // Act
      const pages = await collect(client.playlistItemPages(PLAYLIST_ID, embedded));
      const none = await collect(client.playlistItemPages(PLAYLIST_ID, single));
      const stub = await collect(
        client.playlistItemPages(PLAYLIST_ID, { href: "https://api.spotify.com/x", total: 120 }),
      );

      // Assess: after the embedded page only offsets 50 and 100; a stub pages from the start.
      expect(apiPaths(spotify.received)).toEqual([
        requestedItemsPath(50),
        requestedItemsPath(100),
        `/v1/playlists/${PLAYLIST_ID}/items?limit=50&offset=0&additional_types=track,episode`,
        requestedItemsPath(50),
        requestedItemsPath(100),
      ]);
      expect(pages.map((p) => (p.json as { items: unknown[] }).items.length)).toEqual([50, 20]);
      expect(none).toEqual([]);
      expect(stub).toHaveLength(3);
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
      expect(apiPaths(spotify.received)).toContain(requestedItemsPath(50));
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
});
