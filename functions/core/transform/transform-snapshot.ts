// Transform step: one snapshot's raw Spotify responses -> the four lake tables as Parquet,
// a quarantine file of records that could not be trusted, and a report whose counts add up.
// Raw bodies are read in order with a small read-ahead, parsed one at a time and dropped;
// songs_data is encoded part by part as its rows arrive. Memory follows the part size and
// the number of distinct tracks, albums and artists, not the size of the snapshot.
// Every object is written to a deterministic key and stale ones are removed, so a rerun
// (redrive, "New execution", reprocess) leaves exactly what one run would.

import { InvalidInputError, RawDataError } from "../../commons/errors";
import { LAKE_TABLES, lakeKeys, type LakeTable } from "../../commons/keys";
import type { ObjectStore } from "../../commons/ports";
import { isSpotifyId, type SnapshotHour } from "../../commons/snapshot";
import {
  readArtistsManifest,
  readPlaylistManifest,
  type ArtistsManifest,
  type PlaylistManifest,
  type StoredResponse,
} from "../raw-manifests";
import { mapConcurrently } from "../concurrency";
import { TableBuilder } from "./columns";
import { classifyEntry, SKIP_REASONS, type SkipReason } from "./entries";
import { isCount, isObject } from "./json";
import { DEFAULT_MAX_ROWS_PER_FILE, encodeParquetPart, PartEncoder, partRanges } from "./parquet";
import { DEFAULT_READ_AHEAD, RawReader } from "./raw-reader";
import { artistRowOf, playlistRowOf } from "./records";
import { SongValueCache } from "./shared-values";
import { assertAccounting, serializeReport, sortedCounts, type TransformReport } from "./report";
import { TABLE_COLUMNS } from "./tables";

export type { TransformReport } from "./report";

export interface TransformSnapshotInput {
  rawStore: ObjectStore;
  lakeStore: ObjectStore;
  snapshot: SnapshotHour;
  playlistIds: readonly string[];
  /** Rows per Parquet file before a table is split into parts (default 250,000). */
  maxRowsPerFile?: number;
}

/** One line of the quarantine file. */
export interface QuarantineRecord {
  source: "playlist_item" | "artist" | "playlist";
  playlist_id: string | null;
  /** Entry position in the playlist; for an artist, its index in the stored response. */
  position: number | null;
  reason: string;
  record: unknown;
}

const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";

class Counter {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** Everything a run accumulates; raw bodies are never kept here, only rows and counts. */
class SnapshotRows {
  readonly songValues = new SongValueCache();
  // Rows that arrive in their final order are encoded as they come; the others are sorted
  // at the end, and are small (one row per distinct album or artist).
  readonly songs: PartEncoder;
  readonly playlists: PartEncoder;
  readonly albums = new TableBuilder(TABLE_COLUMNS.albums_data);
  readonly artists = new TableBuilder(TABLE_COLUMNS.artists_data);
  readonly quarantine: string[] = [];
  readonly albumIds = new Set<string>();
  readonly artistIds = new Set<string>();
  readonly skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<
    SkipReason,
    number
  >;
  readonly entriesQuarantined = new Counter();
  readonly artistsQuarantined = new Counter();
  readonly playlistsQuarantined = new Counter();
  entriesRead = 0;
  artistsRead = 0;
  artistDuplicates = 0;

  constructor(maxRowsPerFile: number) {
    this.songs = new PartEncoder(TABLE_COLUMNS.songs_data, maxRowsPerFile);
    this.playlists = new PartEncoder(TABLE_COLUMNS.playlists_data, maxRowsPerFile);
  }

  rowCounts(): Record<LakeTable, number> {
    return {
      songs_data: this.songs.length,
      albums_data: this.albums.length,
      artists_data: this.artists.length,
      playlists_data: this.playlists.length,
    };
  }

  quarantined(record: QuarantineRecord): void {
    this.quarantine.push(JSON.stringify(record));
  }
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

  const rows = new SnapshotRows(maxRowsPerFile);
  // Every body in the order it is transformed, so the reader can fetch ahead of the parser.
  const reader = new RawReader(rawStore, [
    ...manifests.flatMap((m) => [m.playlist, ...m.itemPages]),
    ...artistsManifest.responses.filter((r) => r.status === 200),
  ]);
  for (const manifest of manifests) await transformPlaylist(reader, manifest, rows);
  await transformArtists(reader, artistsManifest, rows);

  const rowCounts = rows.rowCounts();
  const report: TransformReport = {
    snapshot: snapshot.iso,
    playlists: playlistIds.length,
    rows: rowCounts,
    entries: {
      read: rows.entriesRead,
      rows: rowCounts.songs_data,
      skipped: { ...rows.skipped },
      quarantined: sortedCounts(rows.entriesQuarantined.counts),
    },
    artists: {
      read: rows.artistsRead,
      rows: rowCounts.artists_data,
      duplicates: rows.artistDuplicates,
      missing: artistsManifest.missingArtistIds.length,
      quarantined: sortedCounts(rows.artistsQuarantined.counts),
    },
    playlistsQuarantined: sortedCounts(rows.playlistsQuarantined.counts),
    files: 0,
  };
  assertAccounting(report);

  const parts: Record<LakeTable, () => Uint8Array[]> = {
    songs_data: () => rows.songs.finish(),
    albums_data: () => sortedParts(rows.albums, maxRowsPerFile),
    artists_data: () => sortedParts(rows.artists, maxRowsPerFile),
    playlists_data: () => rows.playlists.finish(),
  };
  for (const table of LAKE_TABLES) {
    report.files += await writeTable(lakeStore, snapshot, table, parts[table]());
  }
  await writeQuarantine(lakeStore, snapshot, rows.quarantine);
  // Last: its presence says the snapshot's lake data is complete.
  await lakeStore.put(
    lakeKeys.transformReport(snapshot),
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

async function transformPlaylist(
  reader: RawReader,
  manifest: PlaylistManifest,
  rows: SnapshotRows,
): Promise<void> {
  const playlistId = manifest.playlistId;
  const body = await reader.read(manifest.playlist);
  if (!isObject(body) || body.id !== playlistId) {
    throw new RawDataError(
      `${manifest.playlist.key} is not the playlist object of ${playlistId} ` +
        `(its id is ${isObject(body) ? JSON.stringify(body.id) : "absent"})`,
    );
  }
  const playlistRow = playlistRowOf(body, playlistId);
  if (typeof playlistRow === "string") {
    rows.playlistsQuarantined.add(playlistRow);
    rows.quarantined({
      source: "playlist",
      playlist_id: playlistId,
      position: null,
      reason: playlistRow,
      record: withoutEmbeddedItems(body),
    });
  } else {
    rows.playlists.push(playlistRow);
  }

  let position = 0;
  for (const ref of manifest.itemPages) {
    const items = await readItemsPage(reader, ref, position);
    for (const entry of items) {
      rows.entriesRead++;
      const outcome = classifyEntry(entry, playlistId, position);
      if (outcome.kind === "song") {
        rows.songs.push(rows.songValues.share(outcome.song));
        // Rows arrive in (playlist_id, position) order, so the first kept album is the
        // first by that order, as the table's contract asks.
        if (!rows.albumIds.has(outcome.album.album_id)) {
          rows.albumIds.add(outcome.album.album_id);
          rows.albums.push(outcome.album);
        }
      } else if (outcome.kind === "skipped") {
        rows.skipped[outcome.reason]++;
      } else {
        rows.entriesQuarantined.add(outcome.reason);
        rows.quarantined({
          source: "playlist_item",
          playlist_id: playlistId,
          position,
          reason: outcome.reason,
          record: entry,
        });
      }
      position++;
    }
    if (items.length !== ref.entryCount) {
      throw new RawDataError(
        `${ref.key} holds ${items.length} entries but its manifest says ${ref.entryCount}`,
      );
    }
  }
  if (position !== manifest.entryCount) {
    throw new RawDataError(
      `the pages of playlist ${playlistId} hold ${position} entries but its manifest says ` +
        `${manifest.entryCount}`,
    );
  }
}

/**
 * A playlist items page's entries. Positions come from the page offsets, so pages must
 * tile the playlist without gap or overlap: anything else would give two songs one position.
 */
async function readItemsPage(
  reader: RawReader,
  ref: StoredResponse,
  expectedOffset: number,
): Promise<unknown[]> {
  const page = await reader.read(ref);
  if (!isObject(page) || !Array.isArray(page.items) || !isCount(page.offset)) {
    throw new RawDataError(
      `${ref.key} (from ${ref.url}) is not a playlist items page ({offset, items: [...]})`,
    );
  }
  if (page.offset !== expectedOffset) {
    throw new RawDataError(
      `${ref.key} starts at offset ${page.offset}, but the previous pages end at ${expectedOffset}`,
    );
  }
  return page.items;
}

/** A quarantined playlist's record, without the first page of items its body embeds. */
function withoutEmbeddedItems(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  for (const field of ["items", "tracks"]) {
    const paging = copy[field];
    if (isObject(paging) && Array.isArray(paging.items)) {
      const { items: _omitted, ...rest } = paging;
      copy[field] = rest;
    }
  }
  return copy;
}

async function transformArtists(
  reader: RawReader,
  manifest: ArtistsManifest,
  rows: SnapshotRows,
): Promise<void> {
  for (const response of manifest.responses) {
    // 404: the artist is gone; extraction lists its id in missingArtistIds.
    if (response.status === 404) continue;
    if (response.status !== 200) {
      throw new RawDataError(
        `${response.key} is listed with status ${response.status}; the artists manifest may ` +
          `only list 200 and 404 responses`,
      );
    }
    const body = await reader.read(response);
    if (!isObject(body)) {
      throw new RawDataError(`${response.key} (from ${response.url}) is not an artist response`);
    }
    // A batch body is {"artists": [...]}; a single artist object has no `artists` field.
    const artists = Array.isArray(body.artists) ? body.artists : [body];
    artists.forEach((artist, index) => {
      rows.artistsRead++;
      const row = artistRowOf(artist);
      if (typeof row === "string") {
        rows.artistsQuarantined.add(row);
        rows.quarantined({
          source: "artist",
          playlist_id: null,
          position: index,
          reason: row,
          record: artist,
        });
      } else if (rows.artistIds.has(row.artist_id)) {
        rows.artistDuplicates++;
      } else {
        rows.artistIds.add(row.artist_id);
        rows.artists.push(row);
      }
    });
  }
}

/**
 * Rows sorted by key (the first column), in code-unit order. songs_data and playlists_data
 * need no sort: they are built in (playlist_id, position) order, since playlists are
 * visited sorted and pages in offset order.
 */
function sortOrder(builder: TableBuilder): Uint32Array {
  const order = new Uint32Array(builder.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const key = (row: number) => builder.cell(0, row) as string;
  return order.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** The Parquet parts of a table whose rows are sorted by key. */
function sortedParts(builder: TableBuilder, maxRowsPerFile: number): Uint8Array[] {
  const order = sortOrder(builder);
  return partRanges(builder.length, maxRowsPerFile).map(([start, end]) =>
    encodeParquetPart(builder, start, end, order),
  );
}

/** Writes a table's parts, then removes any other object in its partition; returns the part count. */
async function writeTable(
  store: ObjectStore,
  snapshot: SnapshotHour,
  table: LakeTable,
  parts: readonly Uint8Array[],
): Promise<number> {
  const written = new Set<string>();
  for (const [part, body] of parts.entries()) {
    const key = lakeKeys.tableFile(table, snapshot, part);
    await store.put(key, body, PARQUET_CONTENT_TYPE);
    written.add(key);
  }
  // Overwrite first, delete after: a reader never finds the partition empty, and a rerun
  // whose data shrank leaves no stale part behind.
  const stale = (await store.list(lakeKeys.partitionPrefix(table, snapshot))).filter(
    (key) => !written.has(key),
  );
  if (stale.length > 0) await store.delete(stale);
  return parts.length;
}

async function writeQuarantine(
  store: ObjectStore,
  snapshot: SnapshotHour,
  lines: readonly string[],
): Promise<void> {
  const key = lakeKeys.quarantine(snapshot);
  if (lines.length > 0) {
    await store.put(key, `${lines.join("\n")}\n`, "application/x-ndjson");
  } else if ((await store.list(lakeKeys.quarantinePrefix(snapshot))).includes(key)) {
    await store.delete([key]);
  }
}
