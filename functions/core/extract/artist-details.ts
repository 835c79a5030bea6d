// Artist details kept across hours: artists change far more slowly than playlists, and a
// development-mode app pays one request per artist. Every response is stored under a key that
// names its content (never overwritten with other bytes), and an index says, per artist, which
// stored response holds its freshest details and for which snapshot hour they were fetched.
// An hour fetches only the artists it has no fresh details for; its manifest lists, per stored
// response, the artists it takes from it and when they were fetched, so a reprocess reads
// exactly what the hour used and never the index.

import { rawKeys } from "../../commons/keys";
import { isObject } from "../../commons/json";
import type { ConditionalObjectStore, ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import { isSnapshotIso, isSpotifyId } from "../../commons/snapshot";
import type { ArtistsResponseRef } from "../raw-manifests";
import { sha256Hex } from "./stored-pages";

/** How old stored artist details may be before they are fetched again (a stage setting). */
export const DEFAULT_ARTIST_MAX_AGE_HOURS = 24;

const INDEX_FORMAT = 1;
const HOUR_MS = 3_600_000;
/** Attempts to merge into the index when other runs write it at the same time. */
const INDEX_WRITE_ATTEMPTS = 5;

/** Where one artist's details are: a stored 200 response that holds its object. */
export interface StoredArtist {
  id: string;
  key: string;
  url: string;
  /** The snapshot hour whose run fetched the response (ISO). */
  fetchedAt: string;
}

/** Stores a response under its content key; returns that key. */
export async function storeArtistResponse(
  rawStore: ObjectStore,
  body: Uint8Array,
  contentType: string,
): Promise<string> {
  const key = rawKeys.artistDetails(sha256Hex(body));
  await rawStore.put(key, body, contentType);
  return key;
}

/**
 * Details usable for `snapshot`: fetched for an hour no later than it, and less than
 * `maxAgeHours` before it. Details fetched for a later hour (a rerun of an old hour) are not
 * used: that hour fetches again, as its first run did.
 */
export function isFresh(stored: StoredArtist, snapshot: SnapshotHour, maxAgeHours: number) {
  const age = Date.parse(snapshot.iso) - Date.parse(stored.fetchedAt);
  return age >= 0 && age < maxAgeHours * HOUR_MS;
}

/** The freshest of two candidates for one artist (the first on a tie). */
export const fresher = (a: StoredArtist | undefined, b: StoredArtist | undefined) =>
  a === undefined ? b : b === undefined || a.fetchedAt >= b.fetchedAt ? a : b;

/** The artists the index knows, by id; an unreadable index counts as empty (fetch again). */
export async function readArtistIndex(
  rawStore: ConditionalObjectStore,
): Promise<{ artists: Map<string, StoredArtist>; etag: string | undefined }> {
  const current = await rawStore.getVersioned(rawKeys.artistDetailsIndex);
  const artists = new Map<string, StoredArtist>();
  if (current === undefined) return { artists, etag: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(current.body));
  } catch {
    return { artists, etag: current.etag };
  }
  if (isObject(parsed) && parsed.format === INDEX_FORMAT && Array.isArray(parsed.artists)) {
    for (const entry of parsed.artists) if (isStoredArtist(entry)) artists.set(entry.id, entry);
  }
  return { artists, etag: current.etag };
}

/**
 * Merges `fetched` into the index (per artist the freshest wins), with a conditional write so
 * that two runs writing at once both land. Returns whether it was written: the index only
 * saves requests, so a run whose write keeps losing still succeeds (its manifest is complete).
 */
export async function mergeIntoArtistIndex(
  rawStore: ConditionalObjectStore,
  fetched: readonly StoredArtist[],
): Promise<boolean> {
  if (fetched.length === 0) return true;
  for (let attempt = 0; attempt < INDEX_WRITE_ATTEMPTS; attempt++) {
    const { artists, etag } = await readArtistIndex(rawStore);
    for (const entry of fetched) artists.set(entry.id, fresher(entry, artists.get(entry.id))!);
    const sorted = [...artists.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const body = `${JSON.stringify({ format: INDEX_FORMAT, artists: sorted })}\n`;
    if (await rawStore.putIfUnchanged(rawKeys.artistDetailsIndex, body, etag)) return true;
  }
  return false;
}

/** The manifest's responses for the chosen details: one per stored response, sorted by key. */
export function responsesOf(chosen: Iterable<StoredArtist>): ArtistsResponseRef[] {
  const byKey = new Map<string, ArtistsResponseRef & { artistIds: string[] }>();
  for (const s of chosen) {
    const ref = byKey.get(s.key) ?? {
      key: s.key,
      url: s.url,
      status: 200,
      fetchedAt: s.fetchedAt,
      artistIds: [],
    };
    ref.artistIds.push(s.id);
    byKey.set(s.key, ref);
  }
  return [...byKey.values()]
    .map((ref) => ({ ...ref, artistIds: ref.artistIds.sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const isStoredArtist = (v: unknown): v is StoredArtist =>
  isObject(v) &&
  isSpotifyId(v.id) &&
  typeof v.key === "string" &&
  v.key.startsWith(rawKeys.artistDetailsPrefix) &&
  typeof v.url === "string" &&
  isSnapshotIso(v.fetchedAt);
