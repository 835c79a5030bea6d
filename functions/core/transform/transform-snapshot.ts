// Transform step: one snapshot's raw Spotify responses -> the four lake tables as Parquet,
// a quarantine file of records that could not be trusted, and a report whose counts add up.
// This module only sequences: the row builders (song-rows, playlist-rows, artist-rows) own
// their tables and counters and report their parts, and everything is written once the
// whole snapshot has been read. Raw bodies are read in order with a small read-ahead,
// parsed one at a time and dropped; songs_data is encoded part by part as its rows arrive.
// Memory follows the part size and the number of distinct tracks, albums and artists, not
// the size of the snapshot. Everything is written under the snapshot's version, a folder
// named by a hash of the tables' bytes (lake-version.ts), which no query reads until the
// crawl step publishes it (functions/core/crawl/publish.ts): a crash here leaves queries on
// the hour's previous version, and a rerun (redrive, "New execution", reprocess) rewrites the
// same keys with the same bytes.

import { InvalidInputError } from "../../commons/errors";
import { LAKE_TABLES, lakeKeys, type LakeTable } from "../../commons/keys";
import type { ObjectStore } from "../../commons/ports";
import { isSpotifyId, type SnapshotHour } from "../../commons/snapshot";
import { isUnavailable, readArtistsManifest, readPlaylistManifest } from "../raw-manifests";
import { mapConcurrently } from "../concurrency";
import { ArtistRows } from "./artist-rows";
import { lakeVersion } from "./lake-version";
import { DEFAULT_MAX_ROWS_PER_FILE } from "./parquet";
import { PlaylistRows } from "./playlist-rows";
import { QuarantineFile } from "./quarantine";
import { DEFAULT_READ_AHEAD, RawReader } from "./raw-reader";
import {
  assertAccounting,
  serializeReport,
  unavailableReport,
  type TransformReport,
} from "./report";
import { SongRows } from "./song-rows";

export type { TransformReport } from "./report";

export interface TransformSnapshotInput {
  rawStore: ObjectStore;
  lakeStore: ObjectStore;
  snapshot: SnapshotHour;
  playlistIds: readonly string[];
  /** Rows per Parquet file before a table is split into parts (default 250,000). */
  maxRowsPerFile?: number;
}

const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";

/** A table's rows on their way to Parquet: counted as they arrive, encoded into parts. */
interface TableParts {
  readonly length: number;
  finish(): Uint8Array[];
}

/**
 * Transforms the raw data of `playlistIds` (and the snapshot's artists) into the lake.
 * Throws RawSnapshotMissingError naming the first playlist (or the artists step) whose
 * manifest is missing, and RawDataError naming the key of any corrupt raw object; in both
 * cases nothing is written.
 */
export async function transformSnapshot(input: TransformSnapshotInput): Promise<TransformReport> {
  const { rawStore, lakeStore, snapshot } = input;
  const maxRowsPerFile = input.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
  const playlistIds = checkedPlaylistIds(input.playlistIds);

  // All manifests first: a missing one fails the step before any work or any write. They
  // are read a few at a time; the error still names the first missing one in id order.
  const manifests = await mapConcurrently(playlistIds, DEFAULT_READ_AHEAD, (id) =>
    readPlaylistManifest(rawStore, snapshot, id),
  );
  const artistsManifest = await readArtistsManifest(rawStore, snapshot);

  const quarantine = new QuarantineFile();
  const playlists = new PlaylistRows(quarantine, maxRowsPerFile);
  const songs = new SongRows(quarantine, maxRowsPerFile);
  const artists = new ArtistRows(quarantine, maxRowsPerFile);
  // Every body in the order it is transformed, so the reader can fetch ahead of the parser.
  const reader = new RawReader(rawStore, [
    // An embedded first page is no object of its own: it is read with the playlist's body.
    ...manifests.flatMap((m) =>
      isUnavailable(m)
        ? m.playlist
          ? [m.playlist]
          : []
        : [m.playlist, ...m.itemPages.filter((p) => !p.embeddedAt)],
    ),
    ...artistsManifest.responses.filter((r) => r.status === 200),
  ]);
  for (const manifest of manifests) {
    if (isUnavailable(manifest)) {
      await playlists.addUnavailable(reader, manifest);
      continue;
    }
    const playlistBody = await playlists.addPlaylist(reader, manifest);
    await songs.addItemPages(reader, manifest, playlistBody);
  }
  await artists.addResponses(reader, artistsManifest);

  const tables: Record<LakeTable, TableParts> = {
    songs_data: songs.songs,
    albums_data: songs.albums,
    artists_data: artists.artists,
    playlists_data: playlists.playlists,
  };
  const counted: Omit<TransformReport, "version"> = {
    snapshot: snapshot.iso,
    playlists: playlistIds.length,
    rows: {
      songs_data: tables.songs_data.length,
      albums_data: tables.albums_data.length,
      artists_data: tables.artists_data.length,
      playlists_data: tables.playlists_data.length,
    },
    entries: songs.report(),
    artists: artists.report(),
    playlistsQuarantined: playlists.report(),
    unavailable: unavailableReport(snapshot, manifests.filter(isUnavailable)),
    files: 0,
  };
  // Nothing is written unless the counts add up.
  assertAccounting(counted);

  const parts = Object.fromEntries(
    LAKE_TABLES.map((table) => [table, tables[table].finish()]),
  ) as Record<LakeTable, Uint8Array[]>;
  const rejected = quarantine.body();
  const version = lakeVersion(parts, rejected);
  let files = 0;
  for (const table of LAKE_TABLES) {
    for (const [part, body] of parts[table].entries()) {
      await lakeStore.put(
        lakeKeys.tableFile(table, snapshot, version, part),
        body,
        PARQUET_CONTENT_TYPE,
      );
      files += 1;
    }
  }
  if (rejected !== undefined) {
    await lakeStore.put(lakeKeys.quarantine(snapshot, version), rejected, "application/x-ndjson");
  }
  const report: TransformReport = { ...counted, version, files };
  // Last: its presence says the version is complete, and the crawl step publishes nothing
  // without it.
  await lakeStore.put(
    lakeKeys.transformReport(snapshot, version),
    serializeReport(report),
    "application/json",
  );
  return report;
}

function checkedPlaylistIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) {
    throw new InvalidInputError("playlistIds", "must be an array of Spotify playlist ids");
  }
  const invalid = ids.filter((id) => !isSpotifyId(id));
  if (invalid.length > 0) {
    throw new InvalidInputError(
      "playlistIds",
      `must hold 22-character base-62 Spotify ids, got ${invalid
        .slice(0, 5)
        .map((id) => JSON.stringify(String(id).slice(0, 40)))
        .join(", ")}`,
    );
  }
  // Plain code-unit order: locale-independent, so every machine sorts the same way.
  return [...new Set(ids)].sort();
}
