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

function checkedHash(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
  return sha256;
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
  /**
   * The run's playlist list (a JSON array), the Distributed Map's items: by content, so two
   * executions of an hour with different lists never overwrite each other's.
   */
  playlistItems: (s: SnapshotHour, sha256: string) =>
    `spotify/runs/${partition(s)}/playlist-items/sha256=${checkedHash(sha256)}.json`,
  /** Where the Distributed Map's ResultWriter puts its Map Runs' manifests and results. */
  mapRunsPrefix: (s: SnapshotHour) => `spotify/map-runs/${partition(s)}`,
  // Outside the hourly folders: objects several hours share. Their keys name their content
  // (sha256 of the bytes), so they are never overwritten with other bytes, never deleted by
  // the pipeline, and an hour that lists one reads what the hour that fetched it stored.
  /** A playlist's `/items` pages, by content. */
  storedPagesPrefix: (playlistId: string) =>
    `spotify/playlist_pages/playlist_id=${checkedId(playlistId)}/`,
  storedPage: (playlistId: string, sha256: string) =>
    `${rawKeys.storedPagesPrefix(playlistId)}sha256=${checkedHash(sha256)}.json`,
  /** The playlist's last complete extraction: its snapshot_id and stored pages. */
  lastExtraction: (playlistId: string) => `${rawKeys.storedPagesPrefix(playlistId)}_latest.json`,
  /** Artist responses (one artist, or a batch), by content. */
  artistDetailsPrefix: "spotify/artist_details/",
  artistDetails: (sha256: string) => `spotify/artist_details/sha256=${checkedHash(sha256)}.json`,
  /** Where each artist's freshest stored details are, and when they were fetched. */
  artistDetailsIndex: "spotify/artist_details/_index.json",
  /** Who may write this snapshot right now (see functions/core/snapshot-lease.ts). */
  snapshotLease: (s: SnapshotHour) => `_leases/${partition(s)}/lease.json`,
  /** Who may refresh the Spotify token right now (functions/core/spotify/shared-token.ts). */
  tokenRefreshLease: "_leases/spotify-token-refresh.json",
};

/** A lake version: 16 lower-case hex digits (functions/core/transform/lake-version.ts). */
export const isLakeVersion = (value: unknown): value is string =>
  typeof value === "string" && /^[0-9a-f]{16}$/.test(value);

function checkedVersion(version: string): string {
  if (!isLakeVersion(version)) throw new Error(`not a lake version: ${JSON.stringify(version)}`);
  return version;
}

/**
 * Lake bucket: one folder per table, hive-style partitions per snapshot hour, and in each hour
 * one folder per version (content-addressed, written whole before the catalog points at it).
 * `_crawl/` holds the sample copy the crawler reads; `_published/` says which version of an
 * hour the catalog points at.
 */
export const lakeKeys = {
  tablePrefix: (table: LakeTable) => `${table}/`,
  /** Every version of the hour (and files of the layout before versions). */
  partitionPrefix: (table: LakeTable, s: SnapshotHour) => `${table}/${partition(s)}/`,
  versionPrefix: (table: LakeTable, s: SnapshotHour, version: string) =>
    `${lakeKeys.partitionPrefix(table, s)}version=${checkedVersion(version)}/`,
  tableFile: (table: LakeTable, s: SnapshotHour, version: string, part: number) =>
    `${lakeKeys.versionPrefix(table, s, version)}part-${pad(part, 5)}.parquet`,
  quarantineHourPrefix: (s: SnapshotHour) => `quarantine/${partition(s)}/`,
  quarantinePrefix: (s: SnapshotHour, version: string) =>
    `${lakeKeys.quarantineHourPrefix(s)}version=${checkedVersion(version)}/`,
  quarantine: (s: SnapshotHour, version: string) =>
    `${lakeKeys.quarantinePrefix(s, version)}rejected-entries.ndjson`,
  reportsHourPrefix: (s: SnapshotHour) => `_reports/${partition(s)}/`,
  /** Written last by the transform: its presence says the version is complete. */
  transformReport: (s: SnapshotHour, version: string) =>
    `${lakeKeys.reportsHourPrefix(s)}version=${checkedVersion(version)}/transform.json`,
  /** The crawler's targets: `_crawl/<table>/`, holding at most a copy of one hour. */
  crawlRoot: "_crawl/",
  crawlTablePrefix: (table: LakeTable) => `_crawl/${table}/`,
  crawlPartitionPrefix: (table: LakeTable, s: SnapshotHour) => `_crawl/${table}/${partition(s)}/`,
  /** The publication record of an hour: the version its partitions point at, and its files. */
  publication: (s: SnapshotHour) => `_published/${partition(s)}.json`,
};
