// The quarantine file: one NDJSON line per record the transform could not trust, in the
// order the records were met. Every row builder appends to the one file through its own
// source, which also counts that source's reasons for its part of the report.

import { sortedCounts } from "./report";

/** One line of the quarantine file. */
interface QuarantineRecord {
  source: "playlist_item" | "artist" | "playlist";
  playlist_id: string | null;
  /** Entry position in the playlist; for an artist, its index in the stored response. */
  position: number | null;
  reason: string;
  record: unknown;
}

export class QuarantineFile {
  private readonly lines: string[] = [];

  /** Where one kind of record is quarantined. */
  source(source: QuarantineRecord["source"]): QuarantineSource {
    return new QuarantineSource(source, this.lines);
  }

  /** The file's NDJSON body, or undefined when nothing was quarantined. */
  body(): string | undefined {
    return this.lines.length > 0 ? `${this.lines.join("\n")}\n` : undefined;
  }
}

export class QuarantineSource {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly source: QuarantineRecord["source"],
    private readonly lines: string[],
  ) {}

  add(reason: string, playlistId: string | null, position: number | null, record: unknown): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    // Key order is fixed by this literal, so the same records give the same bytes.
    const line: QuarantineRecord = {
      source: this.source,
      playlist_id: playlistId,
      position,
      reason,
      record,
    };
    this.lines.push(JSON.stringify(line));
  }

  /** Records quarantined per reason, as the report gives them. */
  reasons(): Record<string, number> {
    return sortedCounts(this.counts);
  }
}
