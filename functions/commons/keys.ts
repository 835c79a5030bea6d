// Deterministic storage keys. A rerun of the same snapshot writes the same keys, so it
// overwrites instead of duplicating. Every id is checked again here, so no caller can
// smuggle a path separator or `..` into a key.

import type { SnapshotHour } from "./snapshot";
import { isSpotifyId } from "./snapshot";

export const LAKE_TABLES = ["songs_data", "albums_data", "artists_data", "playlists_data"] as const;
export type LakeTable = (typeof LAKE_TABLES)[number];

function partition(snapshot: SnapshotHour): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(snapshot.date) || !/^\d{2}$/.test(snapshot.hour)) {
    throw new Error(`not a snapshot hour: ${JSON.stringify(snapshot)}`);
  }
  return `snapshot_date=${snapshot.date}/snapshot_hour=${snapshot.hour}`;
}

function checkedId(playlistId: string): string {
  if (!isSpotifyId(playlistId)) throw new Error(`not a Spotify id: ${JSON.stringify(playlistId)}`);
  return playlistId;
}

const pad = (n: number, width: number): string => {
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a page number: ${n}`);
  return String(n).padStart(width, "0");
};

/** Raw bucket: Spotify responses exactly as received. */
export const rawKeys = {
  snapshotPrefix: (s: SnapshotHour) => `spotify/${partition(s)}/`,
  playlistPrefix: (s: SnapshotHour, playlistId: string) =>
    `spotify/${partition(s)}/playlist_id=${checkedId(playlistId)}/`,
  playlist: (s: SnapshotHour, playlistId: string) =>
    `${rawKeys.playlistPrefix(s, playlistId)}playlist.json`,
  itemsPage: (s: SnapshotHour, playlistId: string, page: number) =>
    `${rawKeys.playlistPrefix(s, playlistId)}items-${pad(page, 4)}.json`,
  /** Written last: its presence means the playlist's extraction is complete. */
  playlistManifest: (s: SnapshotHour, playlistId: string) =>
    `${rawKeys.playlistPrefix(s, playlistId)}_manifest.json`,
  artistsPrefix: (s: SnapshotHour) => `spotify/${partition(s)}/artists/`,
  artistsResponse: (s: SnapshotHour, index: number) =>
    `${rawKeys.artistsPrefix(s)}artists-${pad(index, 5)}.json`,
  artistsManifest: (s: SnapshotHour) => `${rawKeys.artistsPrefix(s)}_manifest.json`,
  /** Who may write this snapshot right now (see functions/core/snapshot-lease.ts). */
  snapshotLease: (s: SnapshotHour) => `_leases/${partition(s)}/lease.json`,
  /** Who may refresh the Spotify token right now (functions/core/spotify/shared-token.ts). */
  tokenRefreshLease: "_leases/spotify-token-refresh.json",
};

/** Lake bucket: one folder per table, hive-style partitions per snapshot hour. */
export const lakeKeys = {
  tablePrefix: (table: LakeTable) => `${table}/`,
  partitionPrefix: (table: LakeTable, s: SnapshotHour) => `${table}/${partition(s)}/`,
  tableFile: (table: LakeTable, s: SnapshotHour, part: number) =>
    `${lakeKeys.partitionPrefix(table, s)}part-${pad(part, 5)}.parquet`,
  quarantinePrefix: (s: SnapshotHour) => `quarantine/${partition(s)}/`,
  quarantine: (s: SnapshotHour) => `quarantine/${partition(s)}/rejected-entries.ndjson`,
  transformReport: (s: SnapshotHour) => `_reports/${partition(s)}/transform.json`,
};
