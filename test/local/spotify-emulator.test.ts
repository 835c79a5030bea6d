// Specification of the local Spotify emulator and its sample catalogue: what the pipeline can
// rely on when it runs against them instead of api.spotify.com.

import { join } from "node:path";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import {
  SAMPLE_IDS,
  SAMPLE_PLAYLIST_IDS,
  catalogueStats,
  entryKind,
  generateSampleCatalogue,
} from "../../local/spotify-emulator/sample-data";
import {
  startSpotifyEmulator,
  type SpotifyEmulator,
  type SpotifyEmulatorOptions,
} from "../../local/spotify-emulator/server";
import type { SpotifyCatalogue, SpotifyTrack } from "../../local/spotify-emulator/types";

const FIXTURE_DIR = join(__dirname, "..", "fixtures", "recorded-spotify");
const RECORDED = {
  twoPages: "SuMY5gF5hFjuq3fQyisl8X",
  quirks: "fhzlRc6GMXDJnossdb9Ojc",
  tiny: "jMtDEpesd2DOlSEl6dIfP0",
  editorial: "37i9dQZEVXbMDoHDwVN2tF",
};
const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;

// One catalogue for the whole file: generation is deterministic, so sharing it hides nothing.
const sample = generateSampleCatalogue();

const running: SpotifyEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(options: SpotifyEmulatorOptions = {}): Promise<SpotifyEmulator> {
  const emulator = await startSpotifyEmulator({ catalogue: sample, ...options });
  running.push(emulator);
  return emulator;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

async function requestToken(
  emulator: SpotifyEmulator,
  form: Record<string, string> = { grant_type: "client_credentials" },
  authorization = basic(emulator.credentials.clientId, emulator.credentials.clientSecret),
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.accountsBaseUrl}/api/token`, {
    method: "POST",
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function accessToken(emulator: SpotifyEmulator): Promise<string> {
  const { body } = await requestToken(emulator);
  return body.access_token as string;
}

interface ApiResponse {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  body: any;
  headers: Headers;
}

async function get(emulator: SpotifyEmulator, token: string, pathAndQuery: string) {
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  const result: ApiResponse = {
    status: response.status,
    text,
    body: JSON.parse(text),
    headers: response.headers,
  };
  return result;
}

/** Follows `next` like a real client: the link's path and query on the emulator's own base. */
async function allEntries(emulator: SpotifyEmulator, token: string, first: string) {
  const entries: unknown[] = [];
  const pages: string[] = [];
  let next: string | null = first;
  while (next) {
    const link: URL = new URL(next, emulator.url);
    pages.push(`${link.pathname}${link.search}`);
    const page = await get(emulator, token, `${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.items);
    next = page.body.next;
  }
  return { entries, pages };
}

const playlistOf = (catalogue: SpotifyCatalogue, id: string) =>
  catalogue.playlists.find((p) => p.playlist.id === id)!;

const firstTrack = (id: string) =>
  playlistOf(sample, id).entries.find((e) => e.item?.type === "track" && !e.is_local)!
    .item as SpotifyTrack;

describe("Spotify emulator", () => {
  describe("POST /api/token", () => {
    it("issues a one-hour bearer token for the client-credentials grant with HTTP Basic auth", async () => {
      // Prepare
      const emulator = await start();

      // Act
      const { status, body } = await requestToken(emulator);

      // Assess
      expect(status).toBe(200);
      expect(body).toEqual({
        access_token: expect.stringMatching(/^BQ[\w-]{80,}$/),
        token_type: "Bearer",
        expires_in: 3600,
      });
    });

    it("accepts client_id and client_secret in the form body instead of Basic auth", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(
        emulator,
        {
          grant_type: "client_credentials",
          client_id: emulator.credentials.clientId,
          client_secret: emulator.credentials.clientSecret,
        },
        "",
      );

      expect(status).toBe(200);
      expect(body.token_type).toBe("Bearer");
    });

    it("exchanges the refresh token for an access token with the playlist-read scopes", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: emulator.credentials.refreshToken,
      });

      expect(status).toBe(200);
      expect(body.scope).toBe("playlist-read-private playlist-read-collaborative");
      expect(body.refresh_token).toBeUndefined();
      expect(
        (await get(emulator, body.access_token as string, "/v1/artists/" + sample.artists[0]!.id))
          .status,
      ).toBe(200);
    });

    it("returns a new refresh token when rotation is on, and the old and new ones both work", async () => {
      const emulator = await start({ rotateRefreshToken: true });

      const first = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: emulator.credentials.refreshToken,
      });
      const rotated = first.body.refresh_token as string;
      const second = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: rotated,
      });

      expect(rotated).toMatch(/^AQ/);
      expect(rotated).not.toBe(emulator.credentials.refreshToken);
      expect(second.status).toBe(200);
    });

    it("refuses a wrong client secret with Spotify's invalid_client error", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(
        emulator,
        { grant_type: "client_credentials" },
        basic(emulator.credentials.clientId, "not-the-secret"),
      );

      expect(status).toBe(400);
      expect(body).toEqual({ error: "invalid_client", error_description: "Invalid client" });
    });

    it("refuses an unknown refresh token and an unsupported grant", async () => {
      const emulator = await start();

      const badRefresh = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: "AQrevoked",
      });
      const badGrant = await requestToken(emulator, { grant_type: "password" });

      expect(badRefresh).toEqual({
        status: 400,
        body: { error: "invalid_grant", error_description: "Invalid refresh token" },
      });
      expect(badGrant.status).toBe(400);
      expect(badGrant.body.error).toBe("unsupported_grant_type");
    });

    it("issues the same token sequence in every emulator, so runs are reproducible", async () => {
      const [a, b] = await Promise.all([start(), start()]);

      const fromA = [await accessToken(a), await accessToken(a)];
      const fromB = [await accessToken(b), await accessToken(b)];

      expect(fromA).toEqual(fromB);
      expect(fromA[0]).not.toBe(fromA[1]);
    });
  });

  describe("authorization of /v1 requests", () => {
    it("answers 401 without a token and with a token it never issued", async () => {
      const emulator = await start();
      const path = `${emulator.url}/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

      const missing = await fetch(path);
      const unknown = await get(
        emulator,
        "BQforged",
        `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`,
      );

      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({
        error: { status: 401, message: "No token provided" },
      });
      expect(unknown.body).toEqual({ error: { status: 401, message: "Invalid access token" } });
    });

    it("says the token expired once its hour is over on the injected clock", async () => {
      let clock = Date.UTC(2026, 10, 22, 5, 0, 0);
      const emulator = await start({ now: () => clock });
      const token = await accessToken(emulator);
      const path = `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

      const fresh = await get(emulator, token, path);
      clock += 3600 * 1000;
      const stale = await get(emulator, token, path);

      expect(fresh.status).toBe(200);
      expect(stale.status).toBe(401);
      expect(stale.body).toEqual({ error: { status: 401, message: "The access token expired" } });
    });
  });

  describe("GET /v1/playlists/{id}", () => {
    it("returns the playlist's metadata with an items stub giving the entry count", async () => {
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
        items: { href: `${emulator.apiBaseUrl}/playlists/${id}/items`, total: 230 },
      });
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

      expect(pages).toEqual(
        [0, 50, 100, 150, 200].map((o) => `/v1/playlists/${id}/items?offset=${o}&limit=50`),
      );
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
        href: `${base}?offset=50&limit=50`,
        next: `${base}?offset=100&limit=50`,
        previous: `${base}?offset=0&limit=50`,
        limit: 50,
        offset: 50,
        total: 120,
      });
      expect(body.items).toHaveLength(50);
      expect(body.items[0]).toHaveProperty("item");
      expect(body.items[0]).not.toHaveProperty("track");
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
      expect(body.next).toBe(`${emulator.apiBaseUrl}/playlists/${id}/tracks?offset=100&limit=100`);
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
      expect(artist.body.genres).toEqual(expect.any(Array));
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

  describe("determinism", () => {
    it("generates a byte-identical catalogue from the same options, and another from another seed", () => {
      const again = generateSampleCatalogue();
      const other = generateSampleCatalogue({ seed: 7 });

      expect(JSON.stringify(again)).toBe(JSON.stringify(sample));
      expect(other.playlists[0]!.playlist.id).not.toBe(sample.playlists[0]!.playlist.id);
    });

    it("gives byte-identical bodies from two emulators serving the same catalogue", async () => {
      const options = { pagingBaseUrl: "https://api.spotify.com/v1", mode: "development" as const };
      const [a, b] = [await start(options), await start(options)];
      const paths = [
        `/v1/playlists/${SAMPLE_IDS.quirksPlaylist}`,
        `/v1/playlists/${SAMPLE_IDS.quirksPlaylist}/items?offset=0&limit=50`,
        `/v1/artists/${sample.artists[3]!.id}`,
      ];

      const [tokenA, tokenB] = [await accessToken(a), await accessToken(b)];
      const fromA = await Promise.all(paths.map((p) => get(a, tokenA, p)));
      const fromB = await Promise.all(paths.map((p) => get(b, tokenB, p)));

      expect(fromA.map((r) => r.text)).toEqual(fromB.map((r) => r.text));
      expect(fromA[1]!.body.href).toMatch(/^https:\/\/api\.spotify\.com\/v1\/playlists\//);
    });

    it("keeps the scale-1 playlists as the prefix of a larger scale, every id unique and valid", () => {
      const scaled = generateSampleCatalogue({ scale: 100 });
      const ids = scaled.playlists.map((p) => p.playlist.id);

      expect(scaled.playlists).toHaveLength(2400);
      expect(new Set(ids).size).toBe(2400);
      expect(ids.every((id) => SPOTIFY_ID.test(id))).toBe(true);
      expect(ids.slice(0, 24)).toEqual(SAMPLE_PLAYLIST_IDS);
      expect(JSON.stringify(scaled.playlists[5])).toBe(JSON.stringify(sample.playlists[5]));
    });
  });

  describe("sample catalogue", () => {
    const entries = sample.playlists.flatMap((p) => p.entries);
    const tracks = entries.flatMap((e) => (e.item?.type === "track" ? [e.item] : []));
    const albums = tracks.map((t) => t.album);
    const names = [
      ...sample.playlists.map((p) => p.playlist.name),
      ...tracks.map((t) => t.name),
      ...sample.artists.map((a) => a.name),
    ];

    it("contains every quirk of the 2026 API at least once", () => {
      const quirks = {
        nullEntries: entries.filter((e) => e.item === null).length,
        episodes: entries.filter((e) => e.item?.type === "episode" && e.item.show.type === "show")
          .length,
        localFiles: tracks.filter(
          (t) =>
            t.is_local &&
            t.id === null &&
            t.uri.startsWith("spotify:local:") &&
            t.album.id === null &&
            t.artists.every((a) => a.id === null),
        ).length,
        albumsWithoutImages: albums.filter((a) => a.id !== null && a.images.length === 0).length,
        yearPrecision: albums.filter(
          (a) => a.release_date_precision === "year" && /^\d{4}$/.test(a.release_date!),
        ).length,
        monthPrecision: albums.filter(
          (a) => a.release_date_precision === "month" && /^\d{4}-\d{2}$/.test(a.release_date!),
        ).length,
        dayPrecision: albums.filter(
          (a) => a.release_date_precision === "day" && /^\d{4}-\d{2}-\d{2}$/.test(a.release_date!),
        ).length,
        commas: names.filter((n) => n.includes(",")).length,
        doubleQuotes: names.filter((n) => n.includes('"')).length,
        apostrophes: names.filter((n) => n.includes("'")).length,
        newlines: names.filter((n) => n.includes("\n")).length,
        emoji: names.filter((n) => /\p{Extended_Pictographic}/u.test(n)).length,
        cjk: names.filter((n) => /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(n)).length,
        accents: names.filter((n) => /[À-ÿ]/.test(n)).length,
        nullAddedAt: entries.filter((e) => e.added_at === null).length,
        duplicates: catalogueStats(sample).duplicateEntries,
        artistsWithoutGenres: sample.artists.filter((a) => a.genres.length === 0).length,
        explicit: tracks.filter((t) => t.explicit).length,
        clean: tracks.filter((t) => !t.explicit).length,
      };

      for (const [quirk, count] of Object.entries(quirks)) {
        expect({ quirk, present: count > 0 }).toEqual({ quirk, present: true });
      }
    });

    it("has the advertised size: 24 playlists, long ones over a page, an empty and a one-entry one", () => {
      const sizes = Object.fromEntries(
        sample.playlists.map((p) => [p.playlist.id, p.entries.length]),
      );

      expect(sample.playlists).toHaveLength(24);
      expect(sizes[SAMPLE_IDS.multiPagePlaylist]).toBe(230);
      expect(sizes[SAMPLE_IDS.threePagePlaylist]).toBe(120);
      expect(sizes[SAMPLE_IDS.twoPagePlaylist]).toBe(60);
      expect(sizes[SAMPLE_IDS.emptyPlaylist]).toBe(0);
      expect(sizes[SAMPLE_IDS.singleEntryPlaylist]).toBe(1);
      expect(sample.artists).toHaveLength(150);
    });

    it("uses valid 22-character base-62 ids everywhere an id is not null", () => {
      const ids = [
        ...sample.playlists.map((p) => p.playlist.id),
        ...sample.artists.map((a) => a.id),
        ...tracks.flatMap((t) => [t.id, t.album.id, ...t.artists.map((a) => a.id)]),
      ].filter((id): id is string => id !== null);

      expect(ids.filter((id) => !SPOTIFY_ID.test(id))).toEqual([]);
    });

    it("puts each special case in the playlist named for it", () => {
      const kinds = (id: string) => playlistOf(sample, id).entries.map(entryKind);
      const quirky = kinds(SAMPLE_IDS.quirksPlaylist);

      expect(quirky.filter((k) => k === "null")).toHaveLength(3);
      expect(quirky.filter((k) => k === "episode")).toHaveLength(4);
      expect(quirky.filter((k) => k === "local")).toHaveLength(3);
      expect(playlistOf(sample, SAMPLE_IDS.addedAtNullPlaylist).entries[0]!.added_at).toBeNull();
      expect(
        catalogueStats({
          playlists: [playlistOf(sample, SAMPLE_IDS.duplicatesPlaylist)],
          artists: [],
        }).duplicateEntries,
      ).toBeGreaterThanOrEqual(3);
      expect(playlistOf(sample, SAMPLE_IDS.collaborativePlaylist).playlist.collaborative).toBe(
        true,
      );
    });

    it("counts playlists, entries by kind and distinct objects in catalogueStats", () => {
      const stats = catalogueStats(sample);

      expect(stats.playlists).toBe(24);
      expect(stats.entries).toBe(entries.length);
      expect(Object.values(stats.entriesByKind).reduce((a, b) => a + b, 0)).toBe(entries.length);
      expect(stats.entriesByKind.track).toBe(tracks.filter((t) => !t.is_local).length);
      // One track of the quirks playlist is unresolved (`id: null`): it has no identity to count.
      expect(tracks.filter((t) => !t.is_local && t.id === null)).toHaveLength(1);
      expect(stats.distinctTracks).toBe(
        new Set(tracks.filter((t) => !t.is_local && t.id !== null).map((t) => t.id)).size,
      );
      expect(stats.distinctTracks).toBeLessThan(stats.entriesByKind.track);
      expect(stats.distinctAlbums).toBe(new Set(albums.filter((a) => a.id).map((a) => a.id)).size);
      expect(stats.entriesByPlaylist[SAMPLE_IDS.multiPagePlaylist]).toBe(230);
    });
  });

  describe("replay of a recorded folder", () => {
    it("serves recorded pages whose next links point at api.spotify.com, in order and complete", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const first = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.twoPages}/items?offset=0&limit=50`,
      );
      const { entries, pages } = await allEntries(
        emulator,
        token,
        `/v1/playlists/${RECORDED.twoPages}/items?offset=0&limit=50`,
      );

      expect(first.body.next).toBe(
        `https://api.spotify.com/v1/playlists/${RECORDED.twoPages}/items?offset=50&limit=50`,
      );
      expect(pages).toHaveLength(2);
      expect(entries).toHaveLength(52);
    });

    it("replays the recorded quirks: a null item, an episode and a local file", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const { body } = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.quirks}/items?limit=50&offset=0`,
      );

      const items = body.items as {
        item: { type: string; id: string | null } | null;
        is_local: boolean;
      }[];
      expect(items.some((e) => e.item === null)).toBe(true);
      expect(items.some((e) => e.item?.type === "episode")).toBe(true);
      expect(items.some((e) => e.is_local && e.item?.id === null)).toBe(true);
    });

    it("has a recorded answer for every artist credited in the recorded playlists", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);
      const artistIds = new Set<string>();
      for (const id of Object.values(RECORDED).slice(0, 3)) {
        const { entries } = await allEntries(
          emulator,
          token,
          `/v1/playlists/${id}/items?offset=0&limit=50`,
        );
        for (const e of entries as { item: SpotifyTrack | null }[]) {
          if (e.item?.type !== "track") continue;
          for (const a of [...e.item.artists, ...e.item.album.artists])
            if (a.id) artistIds.add(a.id);
        }
      }

      const answers = await Promise.all(
        [...artistIds].map((id) => get(emulator, token, `/v1/artists/${id}`)),
      );

      expect(artistIds.size).toBeGreaterThan(5);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(answers.every((a) => !("followers" in a.body) && !("popularity" in a.body))).toBe(
        true,
      );
    });

    it("answers recorded errors as recorded and unrecorded requests with a 404 naming them", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const editorial = await get(emulator, token, `/v1/playlists/${RECORDED.editorial}`);
      const unrecorded = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.tiny}/items?offset=0&limit=20`,
      );

      expect(editorial.body).toEqual({ error: { status: 404, message: "Resource not found" } });
      expect(unrecorded.status).toBe(404);
      expect(unrecorded.body.error.message).toContain(
        `GET /v1/playlists/${RECORDED.tiny}/items?offset=0&limit=20`,
      );
    });

    it("still requires a token issued by the emulator", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });

      const { status } = await get(emulator, "BQforged", `/v1/playlists/${RECORDED.tiny}`);

      expect(status).toBe(401);
    });

    it("refuses to start from an index that points outside its folder", async () => {
      const dir = await mkdtemp(join(tmpdir(), "replay-"));
      await writeFile(
        join(dir, "index.json"),
        JSON.stringify([
          { method: "GET", path: "/v1/artists/x", query: "", status: 200, file: "../secret.json" },
        ]),
      );

      await expect(startSpotifyEmulator({ replayDir: dir })).rejects.toThrow(
        /entry 0: "file" \.\.\/secret\.json points outside/,
      );
    });
  });

  describe("fault injection", () => {
    const playlistPath = `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

    it("answers a 429 with Retry-After and Spotify's body once, then normally", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ status: 429, retryAfterSeconds: 7 });

      const limited = await get(emulator, token, playlistPath);
      const after = await get(emulator, token, playlistPath);

      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("7");
      expect(limited.body).toEqual({ error: { status: 429, message: "API rate limit exceeded" } });
      expect(after.status).toBe(200);
      expect(emulator.faults.pending).toBe(0);
    });

    it("gives the QUOTA_EXCEEDED form of the 429 when asked", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ status: 429, retryAfterSeconds: 86_400, reason: "QUOTA_EXCEEDED" });

      const { body, headers } = await get(emulator, token, playlistPath);

      expect(headers.get("retry-after")).toBe("86400");
      expect(body.error).toMatchObject({ status: 429, reason: "QUOTA_EXCEEDED" });
    });

    it("answers each 5xx the given number of times", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      for (const status of [500, 502, 503] as const) emulator.faults.enqueue({ status });
      emulator.faults.enqueue({ status: 504, times: 2 });

      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(emulator, token, playlistPath)).status);

      expect(statuses).toEqual([500, 502, 503, 504, 504, 200]);
    });

    it("fails only the playlist its path matches with a 403 or 404", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const target = SAMPLE_IDS.quirksPlaylist;
      emulator.faults.enqueue({
        status: 404,
        path: new RegExp(`^/v1/playlists/${target}`),
        times: 2,
      });

      const other = await get(emulator, token, playlistPath);
      const hit = await get(emulator, token, `/v1/playlists/${target}/items`);

      expect(other.status).toBe(200);
      expect(hit.body).toEqual({ error: { status: 404, message: "Resource not found" } });
      expect(emulator.faults.pending).toBe(1);
    });

    it("leaves token requests alone unless the fault's path names the token endpoint", async () => {
      const emulator = await start();
      emulator.faults.enqueue({ status: 503 });
      emulator.faults.enqueue({ status: 500, method: "POST", path: /^\/api\/token$/ });

      const refused = await requestToken(emulator);
      const issued = await requestToken(emulator);

      expect(refused.status).toBe(500);
      expect(issued.status).toBe(200);
      expect(emulator.faults.pending).toBe(1);
    });

    it("drops the connection without an answer for a reset", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "reset" });

      await expect(get(emulator, token, playlistPath)).rejects.toThrow();
      const after = await get(emulator, token, playlistPath);

      expect(after.status).toBe(200);
      expect(emulator.requestLog.find((e) => e.fault === "reset")).toMatchObject({
        path: playlistPath,
        status: 0,
      });
    });

    it("waits through the injected sleep for a delay, then answers normally", async () => {
      const slept: number[] = [];
      const emulator = await start({ sleep: async (ms) => void slept.push(ms) });
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "delay", ms: 25_000 });

      const { status } = await get(emulator, token, playlistPath);

      expect(status).toBe(200);
      expect(slept).toEqual([25_000]);
    });

    it("cuts the connection halfway through the body for a truncated answer", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "truncated" });

      const reading = fetch(`${emulator.url}${playlistPath}`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.text());

      await expect(reading).rejects.toThrow();
    });

    it("sends a complete response whose body is not valid JSON for invalidJson", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "invalidJson" });

      const response = await fetch(`${emulator.url}${playlistPath}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();

      expect(response.status).toBe(200);
      expect(text.startsWith('{"collaborative"')).toBe(true);
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
    });

    it("expires every token issued so far, so the client must fetch a new one", async () => {
      const emulator = await start();
      const old = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "expireTokens" });

      const expired = await get(emulator, old, playlistPath);
      const renewed = await get(emulator, await accessToken(emulator), playlistPath);

      expect(expired.body).toEqual({ error: { status: 401, message: "The access token expired" } });
      expect(renewed.status).toBe(200);
    });

    it("refuses a fault it cannot apply", async () => {
      const emulator = await start();

      expect(() => emulator.faults.enqueue({ status: 500, times: 0 })).toThrow(/times/);
      expect(() => emulator.faults.enqueue({ status: 429, retryAfterSeconds: -1 })).toThrow(
        /retryAfterSeconds/,
      );
    });
  });

  describe("request log", () => {
    it("records method, path, query and status of each request, and never a secret", async () => {
      const emulator = await start();
      const { clientSecret, refreshToken } = emulator.credentials;
      await requestToken(emulator, { grant_type: "refresh_token", refresh_token: refreshToken });
      const token = await accessToken(emulator);
      await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items?offset=0&limit=50`,
      );
      await fetch(`${emulator.url}/api/token?client_secret=${clientSecret}`, { method: "POST" });

      const log = emulator.requestLog;

      expect(log.slice(0, 3)).toEqual([
        { method: "POST", path: "/api/token", query: "", status: 200 },
        { method: "POST", path: "/api/token", query: "", status: 200 },
        {
          method: "GET",
          path: `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items`,
          query: "offset=0&limit=50",
          status: 200,
        },
      ]);
      const serialized = JSON.stringify(log);
      for (const secret of [clientSecret, refreshToken, token])
        expect(serialized).not.toContain(secret);
    });
  });
});
