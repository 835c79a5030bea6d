// Keeps one instance of values that repeat across many rows. The same track occurs in many
// playlists and JSON.parse gives every occurrence its own copy of every string; at a million
// entries those copies alone would outgrow a Lambda's memory. Hashing every string would
// cost more time than the rest of the transform, so songs are shared by track id (one hash
// per entry) and only strings equal to the first occurrence's are replaced by it.

import type { SongRow } from "./tables";

const SHARED_SONG_STRINGS = [
  "song_name",
  "isrc",
  "song_url",
  "album_id",
  "album_name",
  "artist_id",
  "artist_name",
] as const satisfies readonly (keyof SongRow)[];

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, i) => value === b[i]);

export class SongValueCache {
  private readonly bySongId = new Map<string, SongRow>();
  private readonly small = new Map<string, string>();

  /** The row, with strings and lists replaced by earlier equal instances where there are any. */
  share(row: SongRow): SongRow {
    const known = this.bySongId.get(row.song_id);
    const shared: SongRow = { ...row, added_by: row.added_by && this.smallString(row.added_by) };
    if (known === undefined) {
      this.bySongId.set(row.song_id, shared);
      return shared;
    }
    shared.song_id = known.song_id;
    // Spotify may relink a track differently in two playlists: only equal values are shared.
    for (const field of SHARED_SONG_STRINGS) {
      if (shared[field] === known[field]) (shared as Record<string, unknown>)[field] = known[field];
    }
    if (sameList(shared.artist_ids, known.artist_ids)) shared.artist_ids = known.artist_ids;
    return shared;
  }

  /** Shares a short, low-cardinality string (user ids). */
  private smallString(value: string): string {
    const known = this.small.get(value);
    if (known !== undefined) return known;
    this.small.set(value, value);
    return value;
  }
}
