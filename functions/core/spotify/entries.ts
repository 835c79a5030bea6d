// How to read one entry of a playlist-items page, shared by extraction (which needs the
// artist ids to fetch) and the transform (which turns entries into rows). Spotify moved the
// track from `track` to `item` in 2026; recorded pages of both shapes must keep working.

import { isObject, type JsonObject } from "../../commons/json";
import { isSpotifyId } from "../../commons/snapshot";

/** `malformed`: neither null nor an object where an entry or its track should be. */
export type EntryKind = "track" | "null_entry" | "episode" | "local_file" | "malformed";

/** What sits where the track should: under `item` (2026) or `track` (older API). */
function trackSlot(entry: JsonObject): unknown {
  // During the migration some responses carry both keys; `item` is the current one, and
  // `item: null` means removed content even when an old `track` copy is still there.
  return entry.item !== undefined ? entry.item : entry.track;
}

/** The track (or episode) object of an entry, or null when there is none. */
export function entryTrack(entry: unknown): JsonObject | null {
  if (!isObject(entry)) return null;
  const track = trackSlot(entry);
  return isObject(track) ? track : null;
}

/**
 * What an entry holds; only `"track"` entries have ids the lake can key on. Extraction and
 * the transform both decide with this one function, so they never disagree on an entry.
 */
export function entryKindOf(entry: unknown): EntryKind {
  if (entry === null) return "null_entry";
  if (!isObject(entry)) return "malformed";
  const track = trackSlot(entry);
  if (track === null || track === undefined) return "null_entry";
  if (!isObject(track)) return "malformed";
  if (track.type === "episode") return "episode";
  // A local file has `is_local: true` on the entry, the track, or both, and `id: null`.
  if (track.is_local === true || entry.is_local === true) return "local_file";
  return "track";
}

/** Distinct, valid artist ids of the tracks on one items page, sorted. */
export function artistIdsOfPage(page: unknown): string[] {
  if (!isObject(page) || !Array.isArray(page.items)) return [];
  const ids = new Set<string>();
  for (const entry of page.items) {
    if (entryKindOf(entry) !== "track") continue;
    const artists = entryTrack(entry)?.artists;
    if (!Array.isArray(artists)) continue;
    for (const artist of artists) {
      if (isObject(artist) && isSpotifyId(artist.id)) ids.add(artist.id);
    }
  }
  return [...ids].sort();
}
