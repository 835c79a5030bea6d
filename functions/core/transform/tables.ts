// The lake tables' columns: names, types and nullability are a contract shared with the
// validation SQL, the Glue catalog and the README. Partition columns (snapshot_date,
// snapshot_hour) are not here: the hive-style folders carry them.

import type { LakeTable } from "../../commons/keys";
import type { ColumnKind, ColumnSpec } from "./columns";

// Generic so that each column keeps its literal name, kind and nullability: the row types
// below are derived from this one list and cannot drift from it.
const required = <N extends string, K extends ColumnKind>(name: N, kind: K) =>
  ({ name, kind, nullable: false }) as const;
const optional = <N extends string, K extends ColumnKind>(name: N, kind: K) =>
  ({ name, kind, nullable: true }) as const;

export const TABLE_COLUMNS = {
  songs_data: [
    required("playlist_id", "string"),
    required("position", "int32"),
    required("song_id", "string"),
    required("song_name", "string"),
    required("duration_ms", "int32"),
    required("explicit", "boolean"),
    optional("popularity", "int32"),
    required("track_number", "int32"),
    required("disc_number", "int32"),
    optional("isrc", "string"),
    required("song_url", "string"),
    required("album_id", "string"),
    required("album_name", "string"),
    required("artist_id", "string"),
    required("artist_name", "string"),
    required("artist_ids", "stringList"),
    optional("added_at", "timestamp"),
    optional("added_by", "string"),
  ],
  albums_data: [
    required("album_id", "string"),
    required("album_name", "string"),
    required("album_type", "string"),
    required("release_date", "string"),
    required("release_date_precision", "string"),
    required("total_tracks", "int32"),
    required("album_url", "string"),
    optional("image_url", "string"),
    required("artist_ids", "stringList"),
  ],
  artists_data: [
    required("artist_id", "string"),
    required("artist_name", "string"),
    required("artist_url", "string"),
    optional("popularity", "int32"),
    optional("followers", "int64"),
    required("genres", "stringList"),
    // The snapshot hour whose run fetched these details: artists are refreshed once their
    // stored details are older than a stage setting (24 h), not fetched every hour.
    required("fetched_at", "timestamp"),
  ],
  // One row per playlist of the run. A playlist Spotify refused (403/404) has available =
  // false, Spotify's status and message, and the metadata Spotify still gave (development
  // mode serves other owners' metadata, not their items), else nulls; so the metadata
  // columns are nullable, and validation checks them not null where available.
  playlists_data: [
    required("playlist_id", "string"),
    optional("playlist_name", "string"),
    optional("description", "string"),
    optional("owner_id", "string"),
    optional("owner_name", "string"),
    optional("snapshot_id", "string"),
    optional("followers", "int64"),
    optional("total_items", "int32"),
    optional("public", "boolean"),
    optional("collaborative", "boolean"),
    optional("playlist_url", "string"),
    required("available", "boolean"),
    optional("unavailable_status", "int32"),
    optional("unavailable_reason", "string"),
  ],
} as const satisfies Record<LakeTable, readonly ColumnSpec[]>;

type ColumnValue<K extends ColumnKind> = K extends "string"
  ? string
  : K extends "int32" | "int64" | "timestamp"
    ? number
    : K extends "boolean"
      ? boolean
      : readonly string[];

type RowOf<Columns extends readonly ColumnSpec[]> = {
  [C in Columns[number] as C["name"]]: C["nullable"] extends true
    ? ColumnValue<C["kind"]> | null
    : ColumnValue<C["kind"]>;
};

/** `added_at` is UTC epoch milliseconds. */
export type SongRow = RowOf<(typeof TABLE_COLUMNS)["songs_data"]>;
export type AlbumRow = RowOf<(typeof TABLE_COLUMNS)["albums_data"]>;
export type ArtistRow = RowOf<(typeof TABLE_COLUMNS)["artists_data"]>;
export type PlaylistRow = RowOf<(typeof TABLE_COLUMNS)["playlists_data"]>;
