// Writes a snapshot's raw layer by hand, as extraction leaves it: each body at its raw key,
// then the manifest that commits them, so the transform can be given exactly the responses a
// test needs (recorded fixtures, hand-made corruptions, synthetic volume).

import { createHash } from "node:crypto";
import { rawKeys } from "../../functions/commons/keys";
import { isSpotifyId, type SnapshotHour } from "../../functions/commons/snapshot";
import {
  serializeManifest,
  type ArtistsManifest,
  type PlaylistManifest,
} from "../../functions/core/raw-manifests";
import type { MemoryObjectStore } from "./memory-object-store";
import { SPOTIFY_API } from "./spotify-payloads";

type Entry = { item?: unknown; track?: unknown } | null;

/** Distinct artist ids of a playlist's tracks, as the extractor lists them in its manifest. */
function artistIdsOfPages(pages: string[]): string[] {
  const ids = new Set<string>();
  for (const page of pages) {
    for (const entry of (JSON.parse(page) as { items: Entry[] }).items) {
      const track = (entry?.item ?? entry?.track) as { artists?: { id: unknown }[] } | null;
      for (const artist of track?.artists ?? []) if (isSpotifyId(artist.id)) ids.add(artist.id);
    }
  }
  return [...ids].sort();
}

/** Stores one playlist's bodies and, last, its manifest, as extraction does. */
export async function storePlaylist(
  store: MemoryObjectStore,
  snapshot: SnapshotHour,
  playlistId: string,
  playlistBody: string,
  pages: { body: string; url: string }[],
): Promise<PlaylistManifest> {
  await store.put(rawKeys.playlist(snapshot, playlistId), playlistBody);
  const itemPages: PlaylistManifest["itemPages"] = [];
  for (const [index, page] of pages.entries()) {
    const key = rawKeys.itemsPage(snapshot, playlistId, index);
    await store.put(key, page.body);
    const entryCount = (JSON.parse(page.body) as { items: unknown[] }).items.length;
    itemPages.push({ key, url: page.url, entryCount });
  }
  const manifest: PlaylistManifest = {
    format: 1,
    snapshot: snapshot.iso,
    playlistId,
    playlist: {
      key: rawKeys.playlist(snapshot, playlistId),
      url: `${SPOTIFY_API}/playlists/${playlistId}`,
    },
    itemPages,
    entryCount: itemPages.reduce((n, p) => n + p.entryCount, 0),
    artistIds: artistIdsOfPages(pages.map((p) => p.body)),
  };
  await store.put(rawKeys.playlistManifest(snapshot, playlistId), serializeManifest(manifest));
  return manifest;
}

/** Stores the artists step's responses and its manifest. */
export async function storeArtists(
  store: MemoryObjectStore,
  snapshot: SnapshotHour,
  responses: {
    body: string;
    url: string;
    status: number;
    /** Listed as stored details (by content, shared by hours): when fetched, and who is taken. */
    fetchedAt?: string;
    artistIds?: string[];
  }[],
  artistIds: string[],
  missingArtistIds: string[],
): Promise<void> {
  const stored: ArtistsManifest["responses"] = [];
  for (const [index, { body, url, status, fetchedAt, artistIds: taken }] of responses.entries()) {
    const key = fetchedAt
      ? rawKeys.artistDetails(createHash("sha256").update(body).digest("hex"))
      : rawKeys.artistsResponse(snapshot, index);
    await store.put(key, body);
    stored.push({ key, url, status, ...(fetchedAt ? { fetchedAt, artistIds: taken ?? [] } : {}) });
  }
  const manifest: ArtistsManifest = {
    format: 1,
    snapshot: snapshot.iso,
    artistIds: [...artistIds].sort(),
    responses: stored,
    missingArtistIds,
  };
  await store.put(rawKeys.artistsManifest(snapshot), serializeManifest(manifest));
}

/** Where extraction stores a page with these bytes (the playlist's stored pages, by sha256). */
export const storedPageKey = (playlistId: string, body: string): string =>
  rawKeys.storedPage(playlistId, createHash("sha256").update(body).digest("hex"));
