// Specification of the extraction step: what lands in the raw store, in which order, and
// that reruns of the same snapshot hour overwrite instead of duplicating or leaving stale
// pages. Spotify is an in-memory fake behind an injected fetch, driven through the real client.

import { describe, expect, it } from "vitest";
import {
  PlaylistUnavailableError,
  RawDataError,
  RawSnapshotMissingError,
  SpotifyTransientError,
} from "../../../functions/commons/errors";
import { rawKeys } from "../../../functions/commons/keys";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { extractArtists } from "../../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { readArtistsManifest, readPlaylistManifest } from "../../../functions/core/raw-manifests";
import { SpotifyClient } from "../../../functions/core/spotify/client";
import { MemoryObjectStore } from "../../support/memory-object-store";
import {
  SPOTIFY_API,
  artist,
  itemsPage,
  localFileEntry,
  playlistEntry,
  playlistObject,
  removedEntry,
  sid,
  spotifyError,
  tokenAnswer,
  track,
} from "../../support/spotify-payloads";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const PLAYLIST_A = "3cEYpjA9oz9GiPac4AsH4n";
const PLAYLIST_B = "1Cgey68pUlQGsCPI2wJuxr";

/** Entry `n` of a test playlist: track `n` by artists `a` and `b`, named to need JSON escapes. */
const entry = (n: number, a: number, b: number) =>
  playlistEntry(track(n, { artists: [a, b], name: `Track ${n}, "live"\nbonus` }));

interface FakePlaylist {
  entries: unknown[];
}

/**
 * An in-memory Spotify answering like the real one (pages of 50 with `next` links on
 * api.spotify.com). `batchArtists: false` behaves like a development-mode app.
 */
class FakeSpotify {
  playlists = new Map<string, FakePlaylist>();
  artists = new Set<string>();
  batchArtists = true;
  /** Request paths that fail with a 503 every time (to simulate an outage mid-extraction). */
  failing = new Set<string>();
  readonly paths: string[] = [];

  readonly fetch: typeof fetch = async (input) => {
    const url = new URL(String(input));
    if (url.pathname === "/api/token") return json(200, tokenAnswer("BQD-fake-token"));
    const path = url.pathname.replace(/^\/v1/, "");
    this.paths.push(`${path}${url.search}`);
    if (this.failing.has(`${path}${url.search}`))
      return json(503, spotifyError(503, "Service unavailable"));
    const [, kind, id, sub] = path.split("/");
    if (kind === "playlists" && id) {
      const playlist = this.playlists.get(id);
      if (!playlist) return json(404, spotifyError(404, "Resource not found"));
      const total = playlist.entries.length;
      if (sub === "items") {
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 50);
        const items = playlist.entries.slice(offset, offset + limit);
        return json(200, itemsPage({ playlistId: id, offset, limit, total, items }));
      }
      return json(200, playlistObject(id, { total, snapshotId: `snap-${total}` }));
    }
    if (kind === "artists" && id) {
      return this.artists.has(id)
        ? json(200, artist(id))
        : json(404, spotifyError(404, "Resource not found"));
    }
    if (kind === "artists") {
      if (!this.batchArtists) return json(403, spotifyError(403, "Forbidden"));
      const ids = url.searchParams.get("ids")!.split(",");
      return json(200, { artists: ids.map((a) => (this.artists.has(a) ? artist(a) : null)) });
    }
    return json(404, spotifyError(404, "Service not found"));
  };

  client(origin = "http://127.0.0.1:9"): SpotifyClient {
    return new SpotifyClient({
      credentials: { clientId: "client-id", clientSecret: "client-secret-value" },
      apiBaseUrl: `${origin}/v1`,
      accountsBaseUrl: origin,
      fetch: this.fetch,
      sleep: async () => {},
      maxAttempts: 2,
    });
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** 120 entries (3 pages) by artists 0..9, plus a removed entry and a local file. */
function bigPlaylist(count = 120): FakePlaylist {
  const entries: unknown[] = Array.from({ length: count }, (_, n) =>
    entry(n, n % 10, (n + 3) % 10),
  );
  entries[7] = removedEntry();
  entries[8] = localFileEntry({ name: "rip.mp3", addedAt: "2015-02-01T00:00:00Z" });
  return { entries };
}

function snapshotOf(store: MemoryObjectStore): Map<string, string> {
  return new Map([...store.objects.keys()].sort().map((k) => [k, store.text(k)!]));
}

describe("Function: extractPlaylist", () => {
  it("stores the metadata and every page byte for byte, and commits them with a manifest written last", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist());
    const store = new MemoryObjectStore();
    const received: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await spotify.fetch(input, init);
      const text = await response.clone().text();
      if (!String(input).endsWith("/api/token")) received.push(text);
      return response;
    };
    const client = new SpotifyClient({
      credentials: { clientId: "client-id", clientSecret: "client-secret-value" },
      apiBaseUrl: "http://127.0.0.1:9/v1",
      accountsBaseUrl: "http://127.0.0.1:9",
      fetch: recordingFetch,
    });

    // Act
    const result = await extractPlaylist({
      spotify: client,
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });

    // Assess
    const prefix = `spotify/snapshot_date=2026-11-22/snapshot_hour=05/playlist_id=${PLAYLIST_A}/`;
    expect(store.writes).toEqual([
      `${prefix}playlist.json`,
      `${prefix}items-0000.json`,
      `${prefix}items-0001.json`,
      `${prefix}items-0002.json`,
      `${prefix}_manifest.json`,
    ]);
    expect([0, 1, 2, 3].map((i) => store.text(store.writes[i]!))).toEqual(received);
    expect(result).toEqual({
      playlistId: PLAYLIST_A,
      manifestKey: `${prefix}_manifest.json`,
      pageCount: 3,
      entryCount: 120,
      artistCount: 10,
    });
    const manifest = await readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A);
    expect(manifest).toEqual({
      format: 1,
      snapshot: "2026-11-22T05:00:00.000Z",
      playlistId: PLAYLIST_A,
      playlist: {
        key: `${prefix}playlist.json`,
        url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}`,
      },
      itemPages: [
        {
          key: `${prefix}items-0000.json`,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?limit=50&offset=0`,
          entryCount: 50,
        },
        {
          key: `${prefix}items-0001.json`,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?offset=50&limit=50`,
          entryCount: 50,
        },
        {
          key: `${prefix}items-0002.json`,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?offset=100&limit=50`,
          entryCount: 20,
        },
      ],
      entryCount: 120,
      artistIds: Array.from({ length: 10 }, (_, k) => sid("ar", k)).sort(),
    });
    expect(Object.keys(JSON.parse(store.text(`${prefix}_manifest.json`)!))).toEqual([
      "format",
      "snapshot",
      "playlistId",
      "playlist",
      "itemPages",
      "entryCount",
      "artistIds",
    ]);
  });

  it("writes byte-identical objects when the same snapshot is extracted again", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist());
    const store = new MemoryObjectStore();
    const run = () =>
      extractPlaylist({
        spotify: spotify.client(),
        rawStore: store,
        snapshot: SNAPSHOT,
        playlistId: PLAYLIST_A,
      });

    // Act
    await run();
    const first = snapshotOf(store);
    await run();

    // Assess
    expect(snapshotOf(store)).toEqual(first);
    expect(first.size).toBe(5);
  });

  it("records the public API URL, so a replay against an emulator on another port writes the same manifest", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(60));
    const store = new MemoryObjectStore();
    const manifestKey = rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A);

    // Act
    await extractPlaylist({
      spotify: spotify.client("http://127.0.0.1:41001"),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });
    const first = store.text(manifestKey);
    await extractPlaylist({
      spotify: spotify.client("http://localhost:52002"),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });

    // Assess
    expect(store.text(manifestKey)).toBe(first);
    expect(first).not.toContain("127.0.0.1");
  });

  it("removes the pages of a previous, longer run of the same snapshot", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(40));

    // Act
    const result = await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });

    // Assess
    const prefix = rawKeys.playlistPrefix(SNAPSHOT, PLAYLIST_A);
    expect(await store.list(prefix)).toEqual([
      `${prefix}_manifest.json`,
      `${prefix}items-0000.json`,
      `${prefix}playlist.json`,
    ]);
    expect(result).toMatchObject({ pageCount: 1, entryCount: 40 });
    expect((await readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).itemPages).toHaveLength(1);
  });

  it("leaves no manifest when a rerun fails half way, so half-rewritten pages are never trusted", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });
    spotify.failing.add(`/playlists/${PLAYLIST_A}/items?offset=100&limit=50`);

    // Act
    const error = await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SpotifyTransientError);
    expect(store.objects.has(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A))).toBe(false);
    await expect(readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).rejects.toBeInstanceOf(
      RawSnapshotMissingError,
    );
  });

  it("keeps a previous complete extraction when the playlist cannot be read at all", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(60));
    const store = new MemoryObjectStore();
    await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    });
    const before = snapshotOf(store);
    spotify.playlists.delete(PLAYLIST_A);

    // Act
    const error = await extractPlaylist({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PlaylistUnavailableError);
    expect((error as PlaylistUnavailableError).playlistIds).toEqual([PLAYLIST_A]);
    expect(snapshotOf(store)).toEqual(before);
  });

  it("logs a summary and warns when the entries received differ from the declared total", async () => {
    // Prepare
    const page = itemsPage({
      playlistId: PLAYLIST_A,
      offset: 0,
      total: 2,
      items: [entry(1, 1, 2)],
    });
    const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const spotify = {
      getPlaylist: async () => ({
        url: `${SPOTIFY_API}/playlists/${PLAYLIST_A}`,
        canonicalUrl: `${SPOTIFY_API}/playlists/${PLAYLIST_A}`,
        status: 200,
        body: bytes({ id: PLAYLIST_A }),
        json: { id: PLAYLIST_A },
      }),
      async *playlistItemPages() {
        yield {
          url: `${SPOTIFY_API}/playlists/${PLAYLIST_A}/items?limit=50&offset=0`,
          canonicalUrl: `${SPOTIFY_API}/playlists/${PLAYLIST_A}/items?limit=50&offset=0`,
          status: 200,
          body: bytes(page),
          json: page,
        };
      },
    };
    const lines: [string, string, Record<string, unknown>][] = [];
    const logger = {
      info: (m: string, a: Record<string, unknown>) => lines.push(["info", m, a]),
      warn: (m: string, a: Record<string, unknown>) => lines.push(["warn", m, a]),
    };

    // Act
    await extractPlaylist({
      spotify,
      rawStore: new MemoryObjectStore(),
      snapshot: SNAPSHOT,
      playlistId: PLAYLIST_A,
      logger,
    });

    // Assess
    expect(lines.map(([level, message]) => `${level}: ${message}`)).toEqual([
      "info: playlist extracted",
      "warn: playlist entries received differ from its declared total",
    ]);
    expect(lines[1]![2]).toEqual({ playlistId: PLAYLIST_A, declaredTotal: 2, entryCount: 1 });
  });
});

describe("Function: extractArtists", () => {
  async function extractedPlaylists(spotify: FakeSpotify, store: MemoryObjectStore) {
    for (const playlistId of [PLAYLIST_A, PLAYLIST_B]) {
      await extractPlaylist({
        spotify: spotify.client(),
        rawStore: store,
        snapshot: SNAPSHOT,
        playlistId,
      });
    }
  }

  it("fetches the union of the playlists' artists once each and records the ones Spotify does not know", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, { entries: [entry(1, 1, 2), entry(2, 2, 3)] });
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(3, 3, 4), entry(4, 60, 1)] });
    for (const k of [1, 2, 3, 4]) spotify.artists.add(sid("ar", k));
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);

    // Act
    const result = await extractArtists({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_B, PLAYLIST_A],
    });

    // Assess
    const wanted = [1, 2, 3, 4, 60].map((k) => sid("ar", k)).sort();
    expect(spotify.paths.filter((p) => p.startsWith("/artists"))).toEqual([
      `/artists?ids=${wanted.join(",")}`,
    ]);
    expect(result).toEqual({
      manifestKey: rawKeys.artistsManifest(SNAPSHOT),
      artistCount: 5,
      responseCount: 1,
      missingArtistCount: 1,
    });
    const manifest = await readArtistsManifest(store, SNAPSHOT);
    expect(manifest).toEqual({
      format: 1,
      snapshot: SNAPSHOT.iso,
      artistIds: wanted,
      responses: [
        {
          key: rawKeys.artistsResponse(SNAPSHOT, 0),
          url: `https://api.spotify.com/v1/artists?ids=${wanted.join(",")}`,
          status: 200,
        },
      ],
      missingArtistIds: [sid("ar", 60)],
    });
    expect(JSON.parse(store.text(rawKeys.artistsResponse(SNAPSHOT, 0))!).artists[4]).toBeNull();
  });

  it("stores one response per artist in development mode, 404s included, and drops leftovers of a larger run", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, { entries: [entry(1, 1, 2), entry(2, 2, 3)] });
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(3, 3, 4)] });
    for (const k of [1, 2, 4]) spotify.artists.add(sid("ar", k));
    spotify.batchArtists = false;
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);
    await extractArtists({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_A, PLAYLIST_B],
    });

    // Act: the rerun only covers playlist A, so fewer artists.
    const result = await extractArtists({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_A],
    });

    // Assess
    expect(result).toEqual({
      manifestKey: rawKeys.artistsManifest(SNAPSHOT),
      artistCount: 3,
      responseCount: 3,
      missingArtistCount: 1,
    });
    const manifest = await readArtistsManifest(store, SNAPSHOT);
    expect(manifest.responses.map((r) => [r.url.split("/").at(-1), r.status])).toEqual([
      [sid("ar", 1), 200],
      [sid("ar", 2), 200],
      [sid("ar", 3), 404],
    ]);
    expect(manifest.missingArtistIds).toEqual([sid("ar", 3)]);
    expect(await store.list(rawKeys.artistsPrefix(SNAPSHOT))).toEqual([
      rawKeys.artistsManifest(SNAPSHOT),
      rawKeys.artistsResponse(SNAPSHOT, 0),
      rawKeys.artistsResponse(SNAPSHOT, 1),
      rawKeys.artistsResponse(SNAPSHOT, 2),
    ]);
  });

  it("writes a byte-identical artists layer when rerun", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(70));
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(1, 11, 12)] });
    for (let k = 0; k < 13; k++) spotify.artists.add(sid("ar", k));
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);
    const run = () =>
      extractArtists({
        spotify: spotify.client(),
        rawStore: store,
        snapshot: SNAPSHOT,
        playlistIds: [PLAYLIST_A, PLAYLIST_B],
      });

    // Act
    await run();
    const first = snapshotOf(store);
    await run();

    // Assess
    expect(snapshotOf(store)).toEqual(first);
  });

  it("names the playlist and key when a playlist was never extracted", async () => {
    // Prepare
    const spotify = new FakeSpotify();
    const store = new MemoryObjectStore();

    // Act
    const error = await extractArtists({
      spotify: spotify.client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_B],
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RawSnapshotMissingError);
    expect((error as Error).message).toContain(PLAYLIST_B);
    expect((error as Error).message).toContain(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_B));
    expect(spotify.paths).toEqual([]);
  });

  it("refuses a playlist manifest that is not what extraction writes", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    await store.put(
      rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A),
      '{"format":1,"snapshot":"2026-11-22T05:00:00.000Z"',
    );

    // Act
    const error = await extractArtists({
      spotify: new FakeSpotify().client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_A],
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RawDataError);
    expect((error as Error).message).toContain(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A));
  });
});
