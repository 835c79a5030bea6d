// The transform's report: small JSON that travels through Step Functions state and is
// stored beside the lake. Its counts must add up; when they do not, the code lost or
// double-counted a record, and the run stops rather than publish numbers nobody can trust.

import type { LakeTable } from "../../commons/keys";
import { rawKeys } from "../../commons/keys";
import type { SnapshotHour } from "../../commons/snapshot";
import type { UnavailablePlaylistManifest } from "../raw-manifests";
import type { SkipReason } from "./entries";

export interface TransformReport {
  /** The snapshot hour, ISO (e.g. `2026-11-22T05:00:00.000Z`). */
  snapshot: string;
  /** Playlists read (distinct ids). */
  playlists: number;
  rows: Record<LakeTable, number>;
  /** Playlist entries: `rows + sum(skipped) + sum(quarantined) === read`. */
  entries: {
    read: number;
    rows: number;
    skipped: Record<SkipReason, number>;
    quarantined: Record<string, number>;
  };
  /**
   * Artist objects in the artists step's responses (404s excluded, counted in `missing`):
   * `rows + duplicates + sum(quarantined) === read`.
   */
  artists: {
    read: number;
    rows: number;
    duplicates: number;
    missing: number;
    quarantined: Record<string, number>;
  };
  /** Playlists whose metadata was quarantined (their entries are still transformed). */
  playlistsQuarantined: Record<string, number>;
  /**
   * Playlists Spotify refused (403/404), rows of playlists_data with available = false. The
   * message names the first few and where all of them are, for the run's final failure: its
   * size is bounded, whatever the count, so it can travel through the execution state.
   */
  unavailable: { count: number; message: string };
  /** The version the tables were written under (lake-version.ts); the crawl step publishes it. */
  version: string;
  /** Parquet files written, all tables together. */
  files: number;
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((total, n) => total + n, 0);

/** A copy with keys in code-point order, so equal counts always serialize identically. */
export function sortedCounts(counts: ReadonlyMap<string, number>): Record<string, number> {
  // Object.fromEntries defines own properties, so even a key named "__proto__" is counted.
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Throws when the report's counts do not add up: that is a bug in the transform, not bad data. */
export function assertAccounting(report: Omit<TransformReport, "version">): void {
  const { entries, artists, rows } = report;
  const problems: string[] = [];
  const entryTotal = entries.rows + sum(entries.skipped) + sum(entries.quarantined);
  if (entryTotal !== entries.read) {
    problems.push(
      `entries: rows ${entries.rows} + skipped ${sum(entries.skipped)} + quarantined ` +
        `${sum(entries.quarantined)} = ${entryTotal}, but ${entries.read} were read`,
    );
  }
  if (entries.rows !== rows.songs_data) {
    problems.push(`entries.rows ${entries.rows} != songs_data rows ${rows.songs_data}`);
  }
  const artistTotal = artists.rows + artists.duplicates + sum(artists.quarantined);
  if (artistTotal !== artists.read) {
    problems.push(
      `artists: rows ${artists.rows} + duplicates ${artists.duplicates} + quarantined ` +
        `${sum(artists.quarantined)} = ${artistTotal}, but ${artists.read} were read`,
    );
  }
  if (artists.rows !== rows.artists_data) {
    problems.push(`artists.rows ${artists.rows} != artists_data rows ${rows.artists_data}`);
  }
  const playlistTotal = rows.playlists_data + sum(report.playlistsQuarantined);
  if (playlistTotal !== report.playlists) {
    problems.push(
      `playlists: ${rows.playlists_data} rows + ${sum(report.playlistsQuarantined)} ` +
        `quarantined != ${report.playlists} read`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`Transform accounting does not add up (a bug): ${problems.join("; ")}`);
  }
}

/** Playlists the message of `unavailable` names one by one; the rest are counted. */
export const UNAVAILABLE_PLAYLISTS_LISTED = 10;

export function unavailableReport(
  snapshot: SnapshotHour,
  manifests: readonly UnavailablePlaylistManifest[],
): TransformReport["unavailable"] {
  const count = manifests.length;
  if (count === 0) return { count, message: "" };
  const listed = manifests
    .slice(0, UNAVAILABLE_PLAYLISTS_LISTED)
    .map((m) => `${m.playlistId} (${m.unavailable.status} ${m.unavailable.reason.slice(0, 200)})`);
  const more = count - listed.length;
  return {
    count,
    message:
      `${count} playlist${count === 1 ? "" : "s"} unavailable: ${listed.join("; ")}` +
      `${more > 0 ? `; and ${more} more` : ""}. The readable playlists' tables are written and ` +
      `validated; every refused playlist is a row of playlists_data with available = false ` +
      `(its status and Spotify's message), and its raw record is ` +
      `${rawKeys.snapshotPrefix(snapshot)}playlist_id=<id>/_manifest.json.`,
  };
}

/** The stored form: stable key order, trailing newline. */
export function serializeReport(report: TransformReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
