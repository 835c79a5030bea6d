// artists_data: every artist object the artists manifest takes from its responses (fetched
// this hour, or stored details still fresh) becomes a row with the hour they were fetched, a
// duplicate (the same artist answered twice) or a quarantined record; the counts of each,
// with the ids Spotify no longer knows, make the report's `artists` part.

import { RawDataError } from "../../commons/errors";
import type { ArtistsManifest } from "../raw-manifests";
import { isObject } from "../../commons/json";
import { isSpotifyId } from "../../commons/snapshot";
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
      const fetchedAt = Date.parse(response.fetchedAt ?? manifest.snapshot);
      const taken = takenFrom(response, manifest.snapshot);
      artists.forEach((artist, index) => {
        if (taken(artist)) this.addArtist(artist, index, fetchedAt);
      });
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

  private addArtist(artist: unknown, index: number, fetchedAt: number): void {
    this.read++;
    const row = artistRowOf(artist, fetchedAt);
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

/**
 * Which artist objects of a response the hour takes: those it lists (a stored response of an
 * earlier hour may hold artists this snapshot no longer has). Objects without a usable id are
 * the business of the hour that fetched the response, which sets them aside; a manifest
 * without lists (older runs) takes everything.
 */
function takenFrom(
  response: ArtistsManifest["responses"][number],
  snapshot: string,
): (artist: unknown) => boolean {
  const listed = response.artistIds;
  if (listed === undefined) return () => true;
  const ids = new Set(listed);
  const ownFetch = response.fetchedAt === snapshot;
  return (artist) => {
    const id = isObject(artist) ? artist.id : undefined;
    return isSpotifyId(id) ? ids.has(id) : ownFetch;
  };
}
