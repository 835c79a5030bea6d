// playlists_data: each playlist's metadata becomes one row, or a quarantined record whose
// reasons make the report's `playlistsQuarantined` part (its entries are still transformed).

import { RawDataError } from "../../commons/errors";
import type { PlaylistManifest } from "../raw-manifests";
import { isObject } from "../../commons/json";
import { PartEncoder } from "./parquet";
import type { QuarantineFile, QuarantineSource } from "./quarantine";
import type { RawReader } from "./raw-reader";
import { playlistRowOf } from "./records";
import type { TransformReport } from "./report";
import { TABLE_COLUMNS } from "./tables";

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
    const body = await reader.read(manifest.playlist);
    if (!isObject(body) || body.id !== playlistId) {
      throw new RawDataError(
        `${manifest.playlist.key} is not the playlist object of ${playlistId} ` +
          `(its id is ${isObject(body) ? JSON.stringify(body.id) : "absent"})`,
      );
    }
    const row = playlistRowOf(body, playlistId);
    if (typeof row === "string") {
      this.quarantine.add(row, playlistId, null, withoutEmbeddedItems(body));
    } else {
      this.playlists.push(row);
    }
    return body;
  }

  /** The report's `playlistsQuarantined` part. */
  report(): TransformReport["playlistsQuarantined"] {
    return this.quarantine.reasons();
  }
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
