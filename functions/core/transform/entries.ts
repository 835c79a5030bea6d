// Turns one playlist entry (an element of a playlist items page) into a song row and its
// album row, or says why it is skipped (not a track: nothing to fix) or quarantined (a track
// we cannot trust: someone should look). Checks run in a fixed order, so a malformed track
// always gets the same reason.

import { entryKindOf, entryTrack } from "../spotify/entries";
import { isSpotifyId } from "../../commons/snapshot";
import { isObject, type JsonObject } from "../../commons/json";
import {
  artistIdsOf,
  hasWellFormedText,
  instantMillis,
  isAbsent,
  isCount,
  spotifyUrl,
} from "./json";
import type { AlbumRow, SongRow } from "./tables";

export const SKIP_REASONS = ["null_entry", "episode", "local_file"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type EntryQuarantineReason =
  | "invalid_entry"
  | "unsupported_item_type"
  | "missing_song_id"
  | "invalid_song_id"
  | "missing_song_name"
  | "invalid_duration"
  | "invalid_explicit"
  | "invalid_popularity"
  | "invalid_track_number"
  | "invalid_disc_number"
  | "invalid_isrc"
  | "missing_song_url"
  | "missing_album"
  | "invalid_album_id"
  | "missing_album_name"
  | "missing_album_type"
  | "invalid_release_date_precision"
  | "invalid_release_date"
  | "invalid_album_total_tracks"
  | "missing_album_url"
  | "invalid_album_images"
  | "invalid_album_artists"
  | "missing_artists"
  | "invalid_artist_id"
  | "missing_artist_name"
  | "invalid_added_at"
  | "invalid_added_by"
  | "invalid_text";

export type EntryOutcome =
  | { kind: "song"; song: SongRow; album: AlbumRow }
  | { kind: "skipped"; reason: SkipReason }
  | { kind: "quarantined"; reason: EntryQuarantineReason };

// A Map, not an object literal: the precision comes from the payload, and a value such as
// "constructor" or "toString" must find nothing rather than an inherited property.
const RELEASE_DATE_FORMATS: ReadonlyMap<string, RegExp> = new Map([
  ["year", /^\d{4}$/],
  ["month", /^\d{4}-(0[1-9]|1[0-2])$/],
  ["day", /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/],
]);

/** A `YYYY-MM-DD` that names a day of the calendar (no 2023-02-29, no 2024-04-31). */
function isCalendarDay(date: string): boolean {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

const quarantined = (reason: EntryQuarantineReason): EntryOutcome => ({
  kind: "quarantined",
  reason,
});

/**
 * What becomes of one entry at `position` (0-based) of playlist `playlistId`: a song row
 * with its album row, a skip, or a quarantine, with its reason. The track sits
 * under `item` in the 2026 API and under `track` in the older one; both are accepted.
 */
export function entryOutcomeOf(entry: unknown, playlistId: string, position: number): EntryOutcome {
  const kind = entryKindOf(entry);
  if (kind === "malformed") return quarantined("invalid_entry");
  if (kind !== "track") return { kind: "skipped", reason: kind };
  // A "track" entry is an object holding a track object (entryKindOf checked both).
  const track = entryTrack(entry)!;
  const fields = entry as JsonObject;
  if (track.type !== undefined && track.type !== "track")
    return quarantined("unsupported_item_type");

  if (isAbsent(track.id)) return quarantined("missing_song_id");
  if (!isSpotifyId(track.id)) return quarantined("invalid_song_id");
  if (typeof track.name !== "string") return quarantined("missing_song_name");
  if (!isCount(track.duration_ms)) return quarantined("invalid_duration");
  if (typeof track.explicit !== "boolean") return quarantined("invalid_explicit");
  // Removed for development-mode apps since 2026: absent means unknown, not malformed.
  const popularity = track.popularity;
  if (!isAbsent(popularity) && !(isCount(popularity) && popularity <= 100)) {
    return quarantined("invalid_popularity");
  }
  if (!isCount(track.track_number)) return quarantined("invalid_track_number");
  if (!isCount(track.disc_number)) return quarantined("invalid_disc_number");
  const isrc = isObject(track.external_ids) ? track.external_ids.isrc : undefined;
  if (!isAbsent(isrc) && typeof isrc !== "string") return quarantined("invalid_isrc");
  const songUrl = spotifyUrl(track);
  if (songUrl === undefined) return quarantined("missing_song_url");

  const album = albumOf(track.album);
  if (typeof album === "string") return quarantined(album);

  if (!Array.isArray(track.artists) || track.artists.length === 0) {
    return quarantined("missing_artists");
  }
  const artistIds = artistIdsOf(track.artists);
  if (artistIds === undefined) return quarantined("invalid_artist_id");
  const primary = track.artists[0] as JsonObject;
  if (typeof primary.name !== "string") return quarantined("missing_artist_name");

  // Very old playlists give added_at null; it stays null rather than becoming a made-up time.
  let addedAt: number | null = null;
  if (!isAbsent(fields.added_at)) {
    const millis = typeof fields.added_at === "string" ? instantMillis(fields.added_at) : undefined;
    if (millis === undefined) return quarantined("invalid_added_at");
    addedAt = millis;
  }
  // Old and Spotify-made playlists give `added_by: null` or an empty id: nobody known.
  let addedBy: string | null = null;
  if (!isAbsent(fields.added_by)) {
    if (!isObject(fields.added_by) || typeof fields.added_by.id !== "string") {
      return quarantined("invalid_added_by");
    }
    addedBy = fields.added_by.id === "" ? null : fields.added_by.id;
  }

  const song: SongRow = {
    playlist_id: playlistId,
    position,
    song_id: track.id,
    song_name: track.name,
    duration_ms: track.duration_ms,
    explicit: track.explicit,
    popularity: isAbsent(popularity) ? null : popularity,
    track_number: track.track_number,
    disc_number: track.disc_number,
    isrc: isAbsent(isrc) ? null : isrc,
    song_url: songUrl,
    album_id: album.album_id,
    album_name: album.album_name,
    artist_id: artistIds[0]!,
    artist_name: primary.name,
    artist_ids: artistIds,
    added_at: addedAt,
    added_by: addedBy,
  };
  if (!hasWellFormedText(song) || !hasWellFormedText(album)) return quarantined("invalid_text");
  return { kind: "song", album, song };
}

/** The album row of a track's `album`, or the reason it cannot be one. */
function albumOf(album: unknown): AlbumRow | EntryQuarantineReason {
  if (!isObject(album)) return "missing_album";
  if (!isSpotifyId(album.id)) return "invalid_album_id";
  if (typeof album.name !== "string") return "missing_album_name";
  if (typeof album.album_type !== "string") return "missing_album_type";
  const precision = album.release_date_precision;
  const format = typeof precision === "string" ? RELEASE_DATE_FORMATS.get(precision) : undefined;
  if (format === undefined) return "invalid_release_date_precision";
  if (
    typeof album.release_date !== "string" ||
    !format.test(album.release_date) ||
    (precision === "day" && !isCalendarDay(album.release_date))
  ) {
    return "invalid_release_date";
  }
  if (!isCount(album.total_tracks)) return "invalid_album_total_tracks";
  const albumUrl = spotifyUrl(album);
  if (albumUrl === undefined) return "missing_album_url";
  const imageUrl = largestImageUrl(album.images);
  if (imageUrl === undefined) return "invalid_album_images";
  const artistIds = artistIdsOf(album.artists ?? []);
  if (artistIds === undefined) return "invalid_album_artists";
  return {
    album_id: album.id,
    album_name: album.name,
    album_type: album.album_type,
    release_date: album.release_date,
    release_date_precision: precision as string,
    total_tracks: album.total_tracks,
    album_url: albumUrl,
    image_url: imageUrl,
    artist_ids: artistIds,
  };
}

/**
 * URL of the largest image (by area; the first on a tie or when sizes are unknown), null
 * when there is none, undefined when `images` is malformed.
 */
function largestImageUrl(images: unknown): string | null | undefined {
  if (isAbsent(images)) return null;
  if (!Array.isArray(images)) return undefined;
  let best: string | null = null;
  let bestArea = -1;
  for (const image of images) {
    if (!isObject(image) || typeof image.url !== "string") return undefined;
    const area =
      (typeof image.width === "number" ? image.width : 0) *
      (typeof image.height === "number" ? image.height : 0);
    if (area > bestArea) {
      best = image.url;
      bestArea = area;
    }
  }
  return best;
}
