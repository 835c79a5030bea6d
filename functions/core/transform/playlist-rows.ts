// playlists_data: each playlist's metadata becomes one row, or a quarantined record whose
// reasons make the report's `playlistsQuarantined` part (its entries are still transformed).
// A playlist Spotify refused becomes a row with available = false, its status and message.

import { RawDataError } from "../../commons/errors";
import type { PlaylistManifest, UnavailablePlaylistManifest } from "../raw-manifests";
import { isObject } from "../../commons/json";
import { PartEncoder } from "./parquet";
import type { QuarantineFile, QuarantineSource } from "./quarantine";
import type { RawReader } from "./raw-reader";
import { playlistRowOf } from "./records";
import type { TransformReport } from "./report";
import type { PlaylistRow } from "./tables";
import { TABLE_COLUMNS } from "./tables";

/** What an unavailable playlist's row holds of the metadata Spotify did not give. */
const UNKNOWN_METADATA = {
  playlist_name: null,
  description: null,
  owner_id: null,
  owner_name: null,
  snapshot_id: null,
  followers: null,
  total_items: null,
  public: null,
  collaborative: null,
  playlist_url: null,
} as const;

export class PlaylistRows {
  /** In playlist_id order as they arrive, since playlists are visited sorted. */
  readonly playlists: PartEncoder;
  private readonly quarantine: QuarantineSource;

  constructor(quarantine: QuarantineFile, maxRowsPerFile: number) {
    this.playlists = new PartEncoder(TABLE_COLUMNS.playlists_data, maxRowsPerFile);
    this.quarantine = quarantine.source("playlist");
  }

  /**
   * Reads the playlist's body (the next object of `reader`) and adds its row; returns the
   * body, whose embedded first page of entries the songs are read from.
   */
  async addPlaylist(reader: RawReader, manifest: PlaylistManifest): Promise<unknown> {
    const playlistId = manifest.playlistId;
    const body = await readPlaylistBody(reader, manifest.playlist, playlistId);
    const row = playlistRowOf(body, playlistId);
    if (typeof row === "string") {
      this.quarantine.add(row, playlistId, null, withoutEmbeddedItems(body));
    } else {
      this.playlists.push(row);
    }
    return body;
  }

  /**
   * Adds the row of a playlist Spotify refused, with the metadata it still gave when that is
   * well formed (metadata that is not is left null: there are no entries to keep it for).
   */
  async addUnavailable(reader: RawReader, manifest: UnavailablePlaylistManifest): Promise<void> {
    const { playlistId, unavailable } = manifest;
    let metadata: Omit<PlaylistRow, "playlist_id"> | typeof UNKNOWN_METADATA = UNKNOWN_METADATA;
    if (manifest.playlist) {
      const row = playlistRowOf(
        await readPlaylistBody(reader, manifest.playlist, playlistId),
        playlistId,
      );
      if (typeof row !== "string") metadata = row;
    }
    this.playlists.push({
      playlist_id: playlistId,
      ...metadata,
      available: false,
      unavailable_status: unavailable.status,
      unavailable_reason: unavailable.reason,
    });
  }

  /** The report's `playlistsQuarantined` part. */
  report(): TransformReport["playlistsQuarantined"] {
    return this.quarantine.reasons();
  }
}

async function readPlaylistBody(
  reader: RawReader,
  ref: PlaylistManifest["playlist"],
  playlistId: string,
): Promise<Record<string, unknown>> {
  const body = await reader.read(ref);
  if (!isObject(body) || body.id !== playlistId) {
    throw new RawDataError(
      `${ref.key} is not the playlist object of ${playlistId} ` +
        `(its id is ${isObject(body) ? JSON.stringify(body.id) : "absent"})`,
    );
  }
  return body;
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
