// How to read one entry of a playlist-items page, shared by extraction (which needs the
// artist ids to fetch) and the transform (which turns entries into rows). Spotify moved the
// track from `track` to `item` in 2026; recorded pages of both shapes must keep working.

import { isSpotifyId } from "../../commons/snapshot";

export type EntryKind = "track" | "null_entry" | "episode" | "local_file";

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The track (or episode) object of an entry, under `item` (2026) or `track` (older), or null. */
export function entryTrack(entry: unknown): JsonObject | null {
  if (!isObject(entry)) return null;
  // During the migration some responses carry both keys; `item` is the current one.
  if (isObject(entry.item)) return entry.item;
  if (isObject(entry.track)) return entry.track;
  return null;
}

/** What an entry holds; only `"track"` entries have ids the lake can key on. */
export function classifyEntry(entry: unknown): EntryKind {
  const track = entryTrack(entry);
  if (track === null) return "null_entry";
  if (track.type === "episode") return "episode";
  // A local file has `is_local: true` on the entry, the track, or both, and `id: null`.
  if (track.is_local === true || (isObject(entry) && entry.is_local === true)) return "local_file";
  return "track";
}

/** Distinct, valid artist ids of the tracks on one items page, sorted. */
export function artistIdsOfPage(page: unknown): string[] {
  if (!isObject(page) || !Array.isArray(page.items)) return [];
  const ids = new Set<string>();
  for (const entry of page.items) {
    if (classifyEntry(entry) !== "track") continue;
    const artists = entryTrack(entry)?.artists;
    if (!Array.isArray(artists)) continue;
    for (const artist of artists) {
      if (isObject(artist) && isSpotifyId(artist.id)) ids.add(artist.id);
    }
  }
  return [...ids].sort();
}
