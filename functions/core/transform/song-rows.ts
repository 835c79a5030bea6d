// songs_data and albums_data: every entry of a playlist's items pages becomes a song row
// (with its album row), a skip or a quarantined record, and the counts of each make the
// report's `entries` part. The pages are checked against their manifest as they are read.

import { RawDataError } from "../../commons/errors";
import type { ItemPageRef, PlaylistManifest } from "../raw-manifests";
import { entryOutcomeOf, SKIP_REASONS, type SkipReason } from "./entries";
import { isObject } from "../../commons/json";
import { isCount } from "./json";
import { PartEncoder, SortedPartEncoder } from "./parquet";
import type { QuarantineFile, QuarantineSource } from "./quarantine";
import type { RawReader } from "./raw-reader";
import type { TransformReport } from "./report";
import { SongValueCache } from "./shared-values";
import { TABLE_COLUMNS } from "./tables";

export class SongRows {
  /** In (playlist_id, position) order as they arrive, since playlists are visited sorted. */
  readonly songs: PartEncoder;
  readonly albums: SortedPartEncoder;
  private readonly songValues = new SongValueCache();
  private readonly albumIds = new Set<string>();
  private readonly quarantine: QuarantineSource;
  private readonly skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<
    SkipReason,
    number
  >;
  private read = 0;

  constructor(quarantine: QuarantineFile, maxRowsPerFile: number) {
    this.songs = new PartEncoder(TABLE_COLUMNS.songs_data, maxRowsPerFile);
    this.albums = new SortedPartEncoder(TABLE_COLUMNS.albums_data, maxRowsPerFile);
    this.quarantine = quarantine.source("playlist_item");
  }

  /**
   * Reads the playlist's items pages (the next objects of `reader`, except a first page
   * embedded in `playlistBody`, already read) and adds their entries.
   */
  async addItemPages(
    reader: RawReader,
    manifest: PlaylistManifest,
    playlistBody: unknown,
  ): Promise<void> {
    const playlistId = manifest.playlistId;
    let position = 0;
    for (const ref of manifest.itemPages) {
      const page = ref.embeddedAt
        ? (playlistBody as Record<string, unknown>)[ref.embeddedAt]
        : await reader.read(ref);
      const items = itemsOfPage(page, ref, position);
      for (const entry of items) this.addEntry(entry, playlistId, position++);
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

  /** The report's `entries` part. */
  report(): TransformReport["entries"] {
    return {
      read: this.read,
      rows: this.songs.length,
      skipped: { ...this.skipped },
      quarantined: this.quarantine.reasons(),
    };
  }

  private addEntry(entry: unknown, playlistId: string, position: number): void {
    this.read++;
    const outcome = entryOutcomeOf(entry, playlistId, position);
    if (outcome.kind === "song") {
      this.songs.push(this.songValues.share(outcome.song));
      // Rows arrive in (playlist_id, position) order, so the first kept album is the
      // first by that order, as the table's contract asks.
      if (!this.albumIds.has(outcome.album.album_id)) {
        this.albumIds.add(outcome.album.album_id);
        this.albums.push(outcome.album);
      }
    } else if (outcome.kind === "skipped") {
      this.skipped[outcome.reason]++;
    } else {
      this.quarantine.add(outcome.reason, playlistId, position, entry);
    }
  }
}

/**
 * A playlist items page's entries. Positions come from the page offsets, so pages must
 * tile the playlist without gap or overlap: anything else would give two songs one position.
 */
function itemsOfPage(page: unknown, ref: ItemPageRef, expectedOffset: number): unknown[] {
  const where = ref.embeddedAt ? `${ref.key} field ${ref.embeddedAt}` : ref.key;
  if (!isObject(page) || !Array.isArray(page.items) || !isCount(page.offset)) {
    throw new RawDataError(
      `${where} (from ${ref.url}) is not a playlist items page ({offset, items: [...]})`,
    );
  }
  if (page.offset !== expectedOffset) {
    throw new RawDataError(
      `${where} starts at offset ${page.offset}, but the previous pages end at ${expectedOffset}`,
    );
  }
  return page.items;
}
