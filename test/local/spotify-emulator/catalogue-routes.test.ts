// The /v1 endpoints the emulator serves from a catalogue
// (local/spotify-emulator/catalogue-routes.ts): a playlist, its /items pages and the old
// /tracks pages, artists one by one and in batches, and the rules of the two app modes (the
// 403s, and the fields development mode lost).

import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../../local/spotify-emulator/sample-data";
import {
  accessToken,
  allEntries,
  firstTrack,
  get,
  playlistOf,
  sample,
  start,
} from "../../support/emulator-http";

describe("Spotify emulator", () => {
  describe("GET /v1/playlists/{id}", () => {
    it("returns the playlist's metadata with its first page of entries embedded under items", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const id = SAMPLE_IDS.multiPagePlaylist;

      const { status, body } = await get(emulator, token, `/v1/playlists/${id}`);

      expect(status).toBe(200);
      expect(body).toMatchObject({
        id,
        type: "playlist",
        name: "Late Night Drive",
        snapshot_id: expect.stringMatching(/^AAAA/),
        owner: { type: "user", display_name: expect.any(String) },
        followers: { href: null, total: expect.any(Number) },
        items: {
          href: `${emulator.apiBaseUrl}/playlists/${id}/items?offset=0&limit=50&locale=*`,
          limit: 50,
          offset: 0,
          previous: null,
          next: `${emulator.apiBaseUrl}/playlists/${id}/items?offset=50&limit=50&locale=*`,
          total: 230,
        },
      });
      // The same entries as the first /items page.
      const first = await get(emulator, token, `/v1/playlists/${id}/items?offset=0&limit=50`);
      expect(body.items).toEqual(first.body);
      expect(body.tracks).toBeUndefined();
    });

    it("also carries the pre-2026 tracks stub for extended-quota apps", async () => {
      const emulator = await start({ mode: "extended" });
      const token = await accessToken(emulator);

      const { body } = await get(emulator, token, `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}`);

      expect(body.tracks).toEqual({
        href: `${emulator.apiBaseUrl}/playlists/${SAMPLE_IDS.twoPagePlaylist}/tracks`,
        total: 60,
      });
    });

    it("answers 404 for an unknown playlist and 400 for a malformed id", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);

      const unknown = await get(emulator, token, "/v1/playlists/37i9dQZEVXbMDoHDwVN2tF");
      const malformed = await get(emulator, token, "/v1/playlists/not-an-id");
      const elsewhere = await get(emulator, token, "/v1/me/playlists");

      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: { status: 404, message: "Resource not found" } });
      expect(malformed.status).toBe(400);
      expect(elsewhere.status).toBe(404);
    });
  });

  describe("GET /v1/playlists/{id}/items", () => {
    it("gives every entry exactly once, in playlist order, to a client that follows next", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const id = SAMPLE_IDS.multiPagePlaylist;
      const expected = playlistOf(sample, id).entries.map((e) => `${e.item?.uri}@${e.added_at}`);

      const { entries, pages } = await allEntries(
        emulator,
        token,
        `/v1/playlists/${id}/items?offset=0&limit=50`,
      );

      expect(pages).toEqual([
        `/v1/playlists/${id}/items?offset=0&limit=50`,
        // Followed links carry the extra parameter Spotify's links do.
        ...[50, 100, 150, 200].map(
          (o) => `/v1/playlists/${id}/items?offset=${o}&limit=50&locale=*`,
        ),
      ]);
      expect(
        entries.map((e) => {
          const entry = e as { item: { uri: string } | null; added_at: string | null };
          return `${entry.item?.uri}@${entry.added_at}`;
        }),
      ).toEqual(expected);
    });

    it("answers with Spotify's paging object, absolute links on its own base and entries under item", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const id = SAMPLE_IDS.threePagePlaylist;
      const base = `${emulator.apiBaseUrl}/playlists/${id}/items`;

      const { body } = await get(emulator, token, `/v1/playlists/${id}/items?offset=50&limit=50`);

      expect(Object.keys(body)).toEqual([
        "href",
        "items",
        "limit",
        "next",
        "offset",
        "previous",
        "total",
      ]);
      expect(body).toMatchObject({
        href: `${base}?offset=50&limit=50&locale=*`,
        next: `${base}?offset=100&limit=50&locale=*`,
        previous: `${base}?offset=0&limit=50&locale=*`,
        limit: 50,
        offset: 50,
        total: 120,
      });
      expect(body.items).toHaveLength(50);
      // `item`, and the deprecated `track` beside it (the same object) during the window.
      expect(body.items[0]).toHaveProperty("item");
      expect(body.items[0].track).toEqual(body.items[0].item);
    });

    it("uses a page of 20 by default and refuses a limit above 50", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const path = `/v1/playlists/${SAMPLE_IDS.multiPagePlaylist}/items`;

      const byDefault = await get(emulator, token, path);
      const tooLarge = await get(emulator, token, `${path}?limit=51`);
      const negative = await get(emulator, token, `${path}?offset=-1`);

      expect(byDefault.body.limit).toBe(20);
      expect(byDefault.body.items).toHaveLength(20);
      expect(tooLarge.status).toBe(400);
      expect(tooLarge.body.error.message).toMatch(/Invalid limit/);
      expect(negative.status).toBe(400);
    });

    it("honours a smaller pageLimitMax, and answers an empty page past the end", async () => {
      const emulator = await start({ pageLimitMax: 10 });
      const token = await accessToken(emulator);

      const over = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items?limit=11`,
      );
      const past = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items?offset=60&limit=10`,
      );
      const empty = await get(emulator, token, `/v1/playlists/${SAMPLE_IDS.emptyPlaylist}/items`);

      expect(over.status).toBe(400);
      expect(past.body).toMatchObject({ items: [], next: null, total: 60 });
      expect(empty.body).toMatchObject({ items: [], next: null, previous: null, total: 0 });
    });
  });

  describe("GET /v1/playlists/{id}/tracks (removed for development mode)", () => {
    it("answers 403 Forbidden to a development-mode app", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);

      const { status, body } = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/tracks`,
      );

      expect(status).toBe(403);
      expect(body).toEqual({ error: { status: 403, message: "Forbidden" } });
    });

    it("serves the old shape to extended-quota apps: entries under track, pages up to 100", async () => {
      const emulator = await start({ mode: "extended" });
      const token = await accessToken(emulator);
      const id = SAMPLE_IDS.threePagePlaylist;

      const { status, body } = await get(emulator, token, `/v1/playlists/${id}/tracks?limit=100`);

      expect(status).toBe(200);
      expect(body.items).toHaveLength(100);
      expect(body.next).toBe(
        `${emulator.apiBaseUrl}/playlists/${id}/tracks?offset=100&limit=100&locale=*`,
      );
      expect(Object.keys(body.items[0])).toEqual([
        "added_at",
        "added_by",
        "is_local",
        "primary_color",
        "track",
        "video_thumbnail",
      ]);
      expect(body.items[0].track.id).toBe(playlistOf(sample, id).entries[0]!.item!.id);
    });
  });

  describe("development-mode field stripping", () => {
    it("serves tracks, albums and artists without the fields development mode lost", async () => {
      const emulator = await start({ mode: "development" });
      const token = await accessToken(emulator);
      const artistId = firstTrack(SAMPLE_IDS.multiPagePlaylist).artists[0]!.id!;

      const page = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.multiPagePlaylist}/items?limit=5`,
      );
      const artist = await get(emulator, token, `/v1/artists/${artistId}`);

      const track = page.body.items[0].item;
      expect(track).not.toHaveProperty("popularity");
      expect(track).not.toHaveProperty("available_markets");
      expect(track.album).not.toHaveProperty("available_markets");
      expect(track.external_ids.isrc).toMatch(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/);
      expect(artist.body).not.toHaveProperty("popularity");
      expect(artist.body).not.toHaveProperty("followers");
      // Genres are deprecated: an artist with none has no field at all.
      expect(artist.body.genres === undefined || artist.body.genres.length > 0).toBe(true);
    });

    it("keeps popularity, markets and followers for extended-quota apps, without touching the catalogue", async () => {
      const emulator = await start({ mode: "extended" });
      const developer = await start({ mode: "development" });
      const original = firstTrack(SAMPLE_IDS.multiPagePlaylist);
      const artistId = original.artists[0]!.id!;

      await get(developer, await accessToken(developer), `/v1/artists/${artistId}`);
      const token = await accessToken(emulator);
      const page = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.multiPagePlaylist}/items?limit=5`,
      );
      const artist = await get(emulator, token, `/v1/artists/${artistId}`);

      expect(page.body.items[0].item.popularity).toBe(original.popularity);
      expect(page.body.items[0].item.available_markets).toEqual(original.available_markets);
      expect(artist.body).toMatchObject({
        popularity: expect.any(Number),
        followers: { href: null, total: expect.any(Number) },
      });
    });
  });

  describe("GET /v1/artists", () => {
    it("serves one artist, 404 for an unknown one and 400 for a malformed id", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const known = sample.artists[10]!;

      const found = await get(emulator, token, `/v1/artists/${known.id}`);
      const unknown = await get(emulator, token, "/v1/artists/0000000000000000000000");
      const malformed = await get(emulator, token, "/v1/artists/abc");

      expect(found.body).toMatchObject({ id: known.id, name: known.name, type: "artist" });
      expect(unknown.status).toBe(404);
      expect(malformed.body).toEqual({ error: { status: 400, message: "invalid id" } });
    });

    it("refuses the several-artists batch endpoint to development-mode apps", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const ids = sample.artists
        .slice(0, 3)
        .map((a) => a.id)
        .join(",");

      const { status } = await get(emulator, token, `/v1/artists?ids=${ids}`);

      expect(status).toBe(403);
    });

    it("serves up to 50 artists in one batch to extended-quota apps, null for unknown ids", async () => {
      const emulator = await start({ mode: "extended" });
      const token = await accessToken(emulator);
      const ids = [sample.artists[0]!.id, "0000000000000000000000", sample.artists[1]!.id];
      const tooMany = sample.artists
        .slice(0, 51)
        .map((a) => a.id)
        .join(",");

      const batch = await get(emulator, token, `/v1/artists?ids=${ids.join(",")}`);
      const refused = await get(emulator, token, `/v1/artists?ids=${tooMany}`);

      expect(batch.body.artists.map((a: { id: string } | null) => a?.id ?? null)).toEqual([
        ids[0],
        null,
        ids[2],
      ]);
      expect(refused.status).toBe(400);
    });
  });
});
