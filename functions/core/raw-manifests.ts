// Manifests are the commit markers of the raw layer. Extraction writes a playlist's (or the
// artists') response objects first and its manifest last, so a manifest's presence means
// every object it lists is complete. Transform reads only what manifests list. This module
// owns their format: serializing, invalidating, and reading them with validation.

import { RawDataError, RawSnapshotMissingError } from "../commons/errors";
import { rawKeys } from "../commons/keys";
import { isObject } from "../commons/json";
import type { ObjectStore } from "../commons/ports";
import type { SnapshotHour } from "../commons/snapshot";
import { isSnapshotIso, isSpotifyId } from "../commons/snapshot";

export const MANIFEST_FORMAT = 1;

export interface StoredResponse {
  /** Raw-store key of the body, exactly as Spotify sent it. */
  key: string;
  /** The request URL (never carries a secret). */
  url: string;
}

/**
 * One page of a playlist's entries. The first page usually arrives embedded in the playlist
 * object (`GET /playlists/{id}` has it under `items`): it then names the playlist's body and
 * `embeddedAt: "items"`, the field that holds the page, so the manifest says exactly where
 * each page's entries are.
 */
export interface ItemPageRef extends StoredResponse {
  entryCount: number;
  embeddedAt?: "items";
}

export interface PlaylistManifest {
  format: typeof MANIFEST_FORMAT;
  snapshot: string;
  playlistId: string;
  playlist: StoredResponse;
  itemPages: ItemPageRef[];
  entryCount: number;
  /** Distinct artist ids of the playlist's tracks, sorted. */
  artistIds: string[];
}

/**
 * A playlist Spotify refused this hour (403/404): its status and message, and the metadata
 * body when `GET /playlists/{id}` still answered (development mode serves other owners'
 * metadata but not their items). It takes the place of the playlist's manifest, so the
 * transform records the playlist as unavailable instead of missing.
 */
export interface UnavailablePlaylistManifest {
  format: typeof MANIFEST_FORMAT;
  snapshot: string;
  playlistId: string;
  unavailable: { status: number; reason: string };
  playlist: StoredResponse | null;
}

export const isUnavailable = (
  manifest: PlaylistManifest | UnavailablePlaylistManifest,
): manifest is UnavailablePlaylistManifest => "unavailable" in manifest;

/**
 * A response the artists step relies on. Listed with `fetchedAt` and `artistIds`, it may be
 * a stored response of an earlier hour (details still fresh): the hour takes those artists
 * of it, fetched at that hour. Without them (older manifests), every artist of the response
 * is taken, fetched at the manifest's own hour.
 */
export interface ArtistsResponseRef extends StoredResponse {
  status: number;
  /** The snapshot hour whose run fetched the response (ISO). */
  fetchedAt?: string;
  /** The artists this hour takes from it, sorted. */
  artistIds?: string[];
}

export interface ArtistsManifest {
  format: typeof MANIFEST_FORMAT;
  snapshot: string;
  artistIds: string[];
  responses: ArtistsResponseRef[];
  missingArtistIds: string[];
}

/** Removes a previous run's manifest (the commit marker) before its objects are rewritten. */
export async function invalidateManifest(store: ObjectStore, manifestKey: string): Promise<void> {
  if ((await store.get(manifestKey)) !== undefined) await store.delete([manifestKey]);
}

/** Serializes a manifest with a stable layout, so reruns write byte-identical manifests. */
export function serializeManifest(
  manifest: PlaylistManifest | UnavailablePlaylistManifest | ArtistsManifest,
): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function readJson(store: ObjectStore, key: string, what: string): Promise<unknown> {
  const bytes = await store.get(key);
  if (bytes === undefined) {
    throw new RawSnapshotMissingError(
      `${what} has no raw data in this snapshot (no ${key}): extract it first (mode "full")`,
    );
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RawDataError(`${key} is not valid JSON`, { cause: error });
  }
}

const isStoredResponse = (v: unknown): v is StoredResponse =>
  isObject(v) && typeof v.key === "string" && typeof v.url === "string";
const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isSpotifyId);

/** `fetchedAt` and `artistIds` come together: an ISO hour no later than the snapshot's. */
const isOptionalFetch = (r: object): boolean => {
  const { fetchedAt, artistIds } = r as { fetchedAt?: unknown; artistIds?: unknown };
  if (fetchedAt === undefined && artistIds === undefined) return true;
  return typeof fetchedAt === "string" && isSnapshotIso(fetchedAt) && isIdList(artistIds);
};

export async function readPlaylistManifest(
  store: ObjectStore,
  snapshot: SnapshotHour,
  playlistId: string,
): Promise<PlaylistManifest | UnavailablePlaylistManifest> {
  const key = rawKeys.playlistManifest(snapshot, playlistId);
  const m = await readJson(store, key, `playlist ${playlistId}`);
  const prefix = rawKeys.playlistPrefix(snapshot, playlistId);
  // Pages live in the hour's folder (older runs) or in the playlist's stored pages, which
  // several hours share; a manifest may point nowhere else.
  const pagesPrefix = rawKeys.storedPagesPrefix(playlistId);
  const ownPlaylist =
    isObject(m) &&
    m.format === MANIFEST_FORMAT &&
    m.snapshot === snapshot.iso &&
    m.playlistId === playlistId;
  if (ownPlaylist && Object.hasOwn(m, "unavailable")) {
    const u = m.unavailable;
    const valid =
      isObject(u) &&
      Number.isInteger(u.status) &&
      typeof u.reason === "string" &&
      (m.playlist === null || (isStoredResponse(m.playlist) && m.playlist.key.startsWith(prefix)));
    if (!valid) throw new RawDataError(`${key} is not a valid unavailable-playlist manifest`);
    return m as unknown as UnavailablePlaylistManifest;
  }
  const valid =
    ownPlaylist &&
    isStoredResponse(m.playlist) &&
    Array.isArray(m.itemPages) &&
    m.itemPages.every(
      (p) =>
        isStoredResponse(p) &&
        Number.isInteger((p as { entryCount?: unknown }).entryCount) &&
        [undefined, "items"].includes((p as { embeddedAt?: unknown }).embeddedAt as string),
    ) &&
    Number.isInteger(m.entryCount) &&
    isIdList(m.artistIds);
  if (!valid) throw new RawDataError(`${key} is not a valid playlist manifest`);
  const manifest = m as unknown as PlaylistManifest;
  // A manifest may only point inside its own playlist's folder; an embedded page only at
  // the playlist's body, and only as the first page.
  if (!manifest.playlist.key.startsWith(prefix)) {
    throw new RawDataError(`${key} lists ${manifest.playlist.key}, outside ${prefix}`);
  }
  for (const ref of manifest.itemPages) {
    if (!ref.key.startsWith(prefix) && !ref.key.startsWith(pagesPrefix)) {
      throw new RawDataError(`${key} lists ${ref.key}, outside ${prefix} and ${pagesPrefix}`);
    }
  }
  manifest.itemPages.forEach((page, i) => {
    if (page.embeddedAt && (i !== 0 || page.key !== manifest.playlist.key)) {
      throw new RawDataError(`${key} lists an embedded page that is not the playlist's first`);
    }
  });
  return manifest;
}

export async function readArtistsManifest(
  store: ObjectStore,
  snapshot: SnapshotHour,
): Promise<ArtistsManifest> {
  const key = rawKeys.artistsManifest(snapshot);
  const m = await readJson(store, key, "the artists step");
  const valid =
    isObject(m) &&
    m.format === MANIFEST_FORMAT &&
    m.snapshot === snapshot.iso &&
    isIdList(m.artistIds) &&
    isIdList(m.missingArtistIds) &&
    Array.isArray(m.responses) &&
    m.responses.every(
      (r) =>
        isStoredResponse(r) &&
        Number.isInteger((r as { status?: unknown }).status) &&
        (r.key.startsWith(rawKeys.artistsPrefix(snapshot)) ||
          r.key.startsWith(rawKeys.artistDetailsPrefix)) &&
        isOptionalFetch(r),
    );
  if (!valid) throw new RawDataError(`${key} is not a valid artists manifest`);
  return m as unknown as ArtistsManifest;
}
