// Specification of extracting one playlist (functions/core/extract/extract-playlist.ts): what
// lands in the raw store, in which order, and that reruns of the same snapshot hour overwrite
// instead of duplicating or leaving stale pages. Spotify is test/support/in-memory-spotify.ts,
// driven through the real client.

import { describe, expect, it } from "vitest";
import { RawSnapshotMissingError, SpotifyTransientError } from "../../../functions/commons/errors";
import { rawKeys } from "../../../functions/commons/keys";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { readPlaylistManifest } from "../../../functions/core/raw-manifests";
import { SpotifyClient } from "../../../functions/core/spotify/client";
import { InMemorySpotify, bigPlaylist, entry } from "../../support/in-memory-spotify";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { SPOTIFY_API, itemsPage, sid } from "../../support/spotify-payloads";
import { storedPageKey } from "../../support/raw-layer";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const PLAYLIST_A = "3cEYpjA9oz9GiPac4AsH4n";

/** Extracts playlist A of the snapshot from `spotify` into `store`. */
const extractPlaylistA = (spotify: InMemorySpotify, store: MemoryObjectStore) =>
  extractPlaylist({
    spotify: spotify.client(),
    rawStore: store,
    snapshot: SNAPSHOT,
    playlistId: PLAYLIST_A,
  });

describe("Function: extractPlaylist", () => {
  it("stores the metadata and every page byte for byte, and commits them with a manifest written last", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
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
    // Pages go to the playlist's stored pages, under the sha256 of their bytes.
    const pageKeys = received.slice(1).map((text) => storedPageKey(PLAYLIST_A, text));
    expect(store.writes).toEqual([
      `${prefix}playlist.json`,
      ...pageKeys,
      `${prefix}_manifest.json`,
      rawKeys.lastExtraction(PLAYLIST_A),
    ]);
    expect([0, 1, 2, 3].map((i) => store.text(store.writes[i]!))).toEqual(received);
    expect(result).toEqual({
      playlistId: PLAYLIST_A,
      available: true,
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
          key: pageKeys[0]!,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?limit=50&offset=0&additional_types=track,episode`,
          entryCount: 50,
        },
        {
          key: pageKeys[1]!,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?offset=50&limit=50&additional_types=track,episode`,
          entryCount: 50,
        },
        {
          key: pageKeys[2]!,
          url: `https://api.spotify.com/v1/playlists/${PLAYLIST_A}/items?offset=100&limit=50&additional_types=track,episode`,
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
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist());
    const store = new MemoryObjectStore();
    const run = () => extractPlaylistA(spotify, store);

    // Act
    await run();
    const first = store.texts();
    await run();

    // Assess
    expect(store.texts()).toEqual(first);
    expect(first.size).toBe(6);
  });

  it("records the public API URL, so a replay against an emulator on another port writes the same manifest", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
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
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractPlaylistA(spotify, store);
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(40));
    // A page an older version of the pipeline kept in the hour's folder.
    const prefix = rawKeys.playlistPrefix(SNAPSHOT, PLAYLIST_A);
    await store.put(`${prefix}items-0002.json`, "{}");

    // Act
    const result = await extractPlaylistA(spotify, store);

    // Assess
    expect(await store.list(prefix)).toEqual([`${prefix}_manifest.json`, `${prefix}playlist.json`]);
    expect(result).toMatchObject({ pageCount: 1, entryCount: 40 });
    expect(await readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).toMatchObject({
      itemPages: [expect.anything()],
    });
  });

  it("leaves no manifest when a rerun fails half way, so half-rewritten pages are never trusted", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractPlaylistA(spotify, store);
    // Changed since (a new snapshot_id), so the rerun fetches every page again.
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(130));
    spotify.failing.add(
      `/playlists/${PLAYLIST_A}/items?offset=100&limit=50&additional_types=track,episode`,
    );

    // Act
    const error = await extractPlaylistA(spotify, store).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SpotifyTransientError);
    expect(store.objects.has(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A))).toBe(false);
    await expect(readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).rejects.toBeInstanceOf(
      RawSnapshotMissingError,
    );
  });

  it("keeps this hour's earlier complete extraction when the playlist is refused now", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(60));
    const store = new MemoryObjectStore();
    const first = await extractPlaylistA(spotify, store);
    const before = store.texts();
    spotify.playlists.delete(PLAYLIST_A);

    // Act
    const result = await extractPlaylistA(spotify, store);

    // Assess
    expect(result).toEqual(first);
    expect(store.texts()).toEqual(before);
  });

  it("records a playlist Spotify does not know (404) with its status and message, and nothing else", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    const store = new MemoryObjectStore();

    // Act
    const result = await extractPlaylistA(spotify, store);

    // Assess
    const prefix = rawKeys.playlistPrefix(SNAPSHOT, PLAYLIST_A);
    expect(result).toEqual({
      playlistId: PLAYLIST_A,
      available: false,
      manifestKey: `${prefix}_manifest.json`,
      pageCount: 0,
      entryCount: 0,
      artistCount: 0,
    });
    expect(await store.list(prefix)).toEqual([`${prefix}_manifest.json`]);
    expect(await readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).toEqual({
      format: 1,
      snapshot: SNAPSHOT.iso,
      playlistId: PLAYLIST_A,
      unavailable: { status: 404, reason: "Resource not found" },
      playlist: null,
    });
  });

  it("records another owner's playlist (items 403) with the metadata Spotify still gave", async () => {
    // Prepare: an earlier run of the hour stored pages that must not survive
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(120));
    const store = new MemoryObjectStore();
    spotify.failing.add(
      `/playlists/${PLAYLIST_A}/items?offset=100&limit=50&additional_types=track,episode`,
    );
    await extractPlaylistA(spotify, store).catch(() => undefined);
    spotify.failing.clear();
    spotify.itemsForbidden.add(PLAYLIST_A);

    // Act
    const result = await extractPlaylistA(spotify, store);

    // Assess
    const prefix = rawKeys.playlistPrefix(SNAPSHOT, PLAYLIST_A);
    expect(result).toMatchObject({ available: false, entryCount: 0 });
    expect(await store.list(prefix)).toEqual([`${prefix}_manifest.json`, `${prefix}playlist.json`]);
    expect(await readPlaylistManifest(store, SNAPSHOT, PLAYLIST_A)).toMatchObject({
      unavailable: { status: 403, reason: "Forbidden" },
      playlist: { key: `${prefix}playlist.json` },
    });
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
