// artists_data: every artist object of the artists step's responses becomes a row, a
// duplicate (the same artist answered twice) or a quarantined record; the counts of each,
// with the ids Spotify no longer knows, make the report's `artists` part.

import { RawDataError } from "../../commons/errors";
import type { ArtistsManifest } from "../raw-manifests";
import { isObject } from "../../commons/json";
import { SortedPartEncoder } from "./parquet";
import type { QuarantineFile, QuarantineSource } from "./quarantine";
import type { RawReader } from "./raw-reader";
import { artistRowOf } from "./records";
import type { TransformReport } from "./report";
import { TABLE_COLUMNS } from "./tables";

export class ArtistRows {
  readonly artists: SortedPartEncoder;
  private readonly artistIds = new Set<string>();
  private readonly quarantine: QuarantineSource;
  private read = 0;
  private duplicates = 0;
  private missing = 0;

  constructor(quarantine: QuarantineFile, maxRowsPerFile: number) {
    this.artists = new SortedPartEncoder(TABLE_COLUMNS.artists_data, maxRowsPerFile);
    this.quarantine = quarantine.source("artist");
  }

  /** Reads the manifest's 200 responses (the next objects of `reader`) and adds their artists. */
  async addResponses(reader: RawReader, manifest: ArtistsManifest): Promise<void> {
    this.missing += manifest.missingArtistIds.length;
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
      artists.forEach((artist, index) => this.addArtist(artist, index));
    }
  }

  /** The report's `artists` part. */
  report(): TransformReport["artists"] {
    return {
      read: this.read,
      rows: this.artists.length,
      duplicates: this.duplicates,
      missing: this.missing,
      quarantined: this.quarantine.reasons(),
    };
  }

  private addArtist(artist: unknown, index: number): void {
    this.read++;
    const row = artistRowOf(artist);
    if (typeof row === "string") {
      this.quarantine.add(row, null, index, artist);
    } else if (this.artistIds.has(row.artist_id)) {
      this.duplicates++;
    } else {
      this.artistIds.add(row.artist_id);
      this.artists.push(row);
    }
  }
}
