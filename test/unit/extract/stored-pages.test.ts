// Specification of incremental playlist extraction (functions/core/extract/stored-pages.ts,
// used by extract-playlist.ts): a playlist whose snapshot_id is that of its last complete
// extraction costs one request, and its hour's manifest lists the pages stored then; any
// change, or any doubt about the stored pages, means a full fetch.

import { describe, expect, it } from "vitest";
import { rawKeys } from "../../../functions/commons/keys";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { readPlaylistManifest, type PlaylistManifest } from "../../../functions/core/raw-manifests";
import { InMemorySpotify, bigPlaylist } from "../../support/in-memory-spotify";
import { MemoryObjectStore } from "../../support/memory-object-store";

const HOUR_1 = parseSnapshotHour("2026-11-22T05:00:00Z");
const HOUR_2 = parseSnapshotHour("2026-11-22T06:00:00Z");
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";

async function extractAt(spotify: InMemorySpotify, store: MemoryObjectStore, hour = HOUR_2) {
  const before = spotify.paths.length;
  const result = await extractPlaylist({
    spotify: spotify.client(),
    rawStore: store,
    snapshot: hour,
    playlistId: PLAYLIST,
  });
  const manifest = (await readPlaylistManifest(store, hour, PLAYLIST)) as PlaylistManifest;
  return { result, manifest, requests: spotify.paths.slice(before) };
}

describe("Module: stored pages (incremental playlist extraction)", () => {
  it("costs one request for an unchanged playlist, whose manifest lists the pages stored before", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST, bigPlaylist(120));
    const store = new MemoryObjectStore();
    const first = await extractAt(spotify, store, HOUR_1);

    // Act
    const second = await extractAt(spotify, store, HOUR_2);

    // Assess
    expect(first.requests).toHaveLength(4);
    expect(second.requests).toEqual([`/playlists/${PLAYLIST}`]);
    expect(second.manifest.itemPages).toEqual(first.manifest.itemPages);
    expect(second.manifest.artistIds).toEqual(first.manifest.artistIds);
    expect(second.result).toEqual({
      ...first.result,
      manifestKey: rawKeys.playlistManifest(HOUR_2, PLAYLIST),
    });
    // The hour's own folder holds its playlist object and manifest, and nothing else.
    expect(await store.list(rawKeys.playlistPrefix(HOUR_2, PLAYLIST))).toEqual([
      rawKeys.playlistManifest(HOUR_2, PLAYLIST),
      rawKeys.playlist(HOUR_2, PLAYLIST),
    ]);
  });

  it("fetches every page of a playlist whose snapshot_id changed, and reuses the new version after", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractAt(spotify, store, HOUR_1);
    spotify.playlists.set(PLAYLIST, bigPlaylist(130));

    // Act
    const changed = await extractAt(spotify, store, HOUR_2);
    const next = await extractAt(spotify, store, parseSnapshotHour("2026-11-22T07:00:00Z"));

    // Assess
    expect(changed.requests).toHaveLength(4);
    expect(changed.result).toMatchObject({ pageCount: 3, entryCount: 130 });
    expect(next.requests).toHaveLength(1);
    expect(next.manifest.itemPages).toEqual(changed.manifest.itemPages);
  });

  it("fetches in full when a stored page is missing or its bytes are not those its key names", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST, bigPlaylist(120));
    const store = new MemoryObjectStore();
    const first = await extractAt(spotify, store, HOUR_1);
    const [, second, third] = first.manifest.itemPages;
    await store.put(second!.key, '{"items": []}');
    const altered = await extractAt(spotify, store, HOUR_2);
    await store.delete([third!.key]);

    // Act
    const missing = await extractAt(spotify, store, parseSnapshotHour("2026-11-22T07:00:00Z"));

    // Assess
    expect(altered.requests).toHaveLength(4);
    expect(missing.requests).toHaveLength(4);
    // The full fetch stored the true bytes again under their own key.
    expect(missing.manifest.itemPages).toEqual(first.manifest.itemPages);
    expect(JSON.parse(store.text(second!.key)!)).toMatchObject({ offset: 50 });
  });

  it("fetches in full when the last extraction is unreadable", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractAt(spotify, store, HOUR_1);
    await store.put(rawKeys.lastExtraction(PLAYLIST), "not json");

    // Act
    const second = await extractAt(spotify, store, HOUR_2);

    // Assess
    expect(second.requests).toHaveLength(4);
    expect(JSON.parse(store.text(rawKeys.lastExtraction(PLAYLIST))!)).toMatchObject({
      snapshotId: "snap-120",
      fetchedFor: HOUR_2.iso,
    });
  });

  it("keeps the pages a later hour lists when the hour that fetched them is rerun after a change", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST, bigPlaylist(120));
    const store = new MemoryObjectStore();
    await extractAt(spotify, store, HOUR_1);
    const later = await extractAt(spotify, store, HOUR_2);
    const listed = later.manifest.itemPages.map((p) => [p.key, store.text(p.key)]);
    spotify.playlists.set(PLAYLIST, bigPlaylist(60));

    // Act
    await extractAt(spotify, store, HOUR_1);

    // Assess
    expect(later.manifest.itemPages.map((p) => [p.key, store.text(p.key)])).toEqual(listed);
    expect(await readPlaylistManifest(store, HOUR_2, PLAYLIST)).toEqual(later.manifest);
  });
});
