// The transform's report: small JSON that travels through Step Functions state and is
// stored beside the lake. Its counts must add up; when they do not, the code lost or
// double-counted a record, and the run stops rather than publish numbers nobody can trust.

import type { LakeTable } from "../../commons/keys";
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
export function assertAccounting(report: TransformReport): void {
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

/** The stored form: stable key order, trailing newline. */
export function serializeReport(report: TransformReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
