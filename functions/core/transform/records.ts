// Playlist metadata and artist objects -> rows of playlists_data and artists_data, or the
// reason a record is quarantined. A record that is not even the right kind of object
// (another playlist's body, a batch without `artists`) is a corrupt raw object instead,
// and the caller raises RawDataError.

import { isSpotifyId } from "../../commons/snapshot";
import { isObject } from "../../commons/json";
import { hasWellFormedText, isAbsent, isBigCount, isCount, spotifyUrl } from "./json";
import type { ArtistRow, PlaylistRow } from "./tables";

export type PlaylistQuarantineReason =
  | "missing_playlist_name"
  | "invalid_description"
  | "missing_owner_id"
  | "invalid_owner_name"
  | "missing_snapshot_id"
  | "invalid_followers"
  | "invalid_total_items"
  | "invalid_public"
  | "invalid_collaborative"
  | "missing_playlist_url"
  | "invalid_text";

export type ArtistQuarantineReason =
  | "null_artist"
  | "invalid_artist"
  | "invalid_artist_id"
  | "missing_artist_name"
  | "missing_artist_url"
  | "invalid_popularity"
  | "invalid_followers"
  | "invalid_genres"
  | "invalid_text";

/** `followers.total` (nullable); undefined when `followers` is malformed. */
function followersOf(value: unknown): number | null | undefined {
  if (isAbsent(value)) return null;
  if (!isObject(value)) return undefined;
  if (isAbsent(value.total)) return null;
  return isBigCount(value.total) ? value.total : undefined;
}

/** The item count of a playlist body: `items.total` (2026 API) or `tracks.total` (older). */
function totalItemsOf(playlist: Record<string, unknown>): number | undefined {
  const paging = playlist.items !== undefined ? playlist.items : playlist.tracks;
  return isObject(paging) && isCount(paging.total) ? paging.total : undefined;
}

/** The playlists_data row of a GET /v1/playlists/{id} body whose `id` was already checked. */
export function playlistRowOf(
  playlist: Record<string, unknown>,
  playlistId: string,
): PlaylistRow | PlaylistQuarantineReason {
  if (typeof playlist.name !== "string") return "missing_playlist_name";
  if (!isAbsent(playlist.description) && typeof playlist.description !== "string") {
    return "invalid_description";
  }
  const owner = playlist.owner;
  if (!isObject(owner) || typeof owner.id !== "string" || owner.id === "") {
    return "missing_owner_id";
  }
  if (!isAbsent(owner.display_name) && typeof owner.display_name !== "string") {
    return "invalid_owner_name";
  }
  if (typeof playlist.snapshot_id !== "string" || playlist.snapshot_id === "") {
    return "missing_snapshot_id";
  }
  const followers = followersOf(playlist.followers);
  if (followers === undefined) return "invalid_followers";
  const totalItems = totalItemsOf(playlist);
  if (totalItems === undefined) return "invalid_total_items";
  if (!isAbsent(playlist.public) && typeof playlist.public !== "boolean") return "invalid_public";
  if (typeof playlist.collaborative !== "boolean") return "invalid_collaborative";
  const url = spotifyUrl(playlist);
  if (url === undefined) return "missing_playlist_url";
  const row: PlaylistRow = {
    playlist_id: playlistId,
    playlist_name: playlist.name,
    description: isAbsent(playlist.description) ? null : playlist.description,
    owner_id: owner.id,
    owner_name: isAbsent(owner.display_name) ? null : owner.display_name,
    snapshot_id: playlist.snapshot_id,
    followers,
    total_items: totalItems,
    public: isAbsent(playlist.public) ? null : playlist.public,
    collaborative: playlist.collaborative,
    playlist_url: url,
    available: true,
    unavailable_status: null,
    unavailable_reason: null,
  };
  return hasWellFormedText(row) ? row : "invalid_text";
}

/**
 * The artists_data row of one artist object (GET /v1/artists/{id}, or an element of a
 * GET /v1/artists?ids= batch). `popularity`, `followers` and `genres` were removed for
 * development-mode apps: absent means unknown (null, or an empty genre list).
 */
/** `fetchedAt`: when the details were fetched (epoch milliseconds of a snapshot hour). */
export function artistRowOf(
  artist: unknown,
  fetchedAt: number,
): ArtistRow | ArtistQuarantineReason {
  if (artist === null) return "null_artist";
  if (!isObject(artist)) return "invalid_artist";
  if (!isSpotifyId(artist.id)) return "invalid_artist_id";
  if (typeof artist.name !== "string") return "missing_artist_name";
  const url = spotifyUrl(artist);
  if (url === undefined) return "missing_artist_url";
  const popularity = artist.popularity;
  if (!isAbsent(popularity) && !(isCount(popularity) && popularity <= 100)) {
    return "invalid_popularity";
  }
  const followers = followersOf(artist.followers);
  if (followers === undefined) return "invalid_followers";
  const genres = artist.genres ?? [];
  if (!Array.isArray(genres) || !genres.every((g) => typeof g === "string")) {
    return "invalid_genres";
  }
  const row: ArtistRow = {
    artist_id: artist.id,
    artist_name: artist.name,
    artist_url: url,
    popularity: isAbsent(popularity) ? null : popularity,
    followers,
    genres: genres as string[],
    fetched_at: fetchedAt,
  };
  return hasWellFormedText(row) ? row : "invalid_text";
}
