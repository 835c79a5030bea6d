// The transform's report (functions/core/transform/report.ts): rows per table, and entry and
// artist counts that add up to what was read; and the accounting check that stops a run whose
// counts do not.

import { describe, expect, it } from "vitest";
import { assertAccounting, type TransformReport } from "../../../functions/core/transform/report";
import { SNAPSHOT, onTheFixtureSnapshot } from "../../support/transform-fixture";

describe("transformSnapshot", () => {
  onTheFixtureSnapshot((transformed) => {
    it("reports rows per table and entry counts that add up to the entries read", () => {
      const { report } = transformed;
      // Road trip: 8 entries -> 4 songs, 3 skipped, 1 quarantined.
      // Blues: 5 entries -> 2 songs, 1 skipped, 2 quarantined.
      expect(report).toEqual({
        snapshot: "2026-11-22T05:00:00.000Z",
        playlists: 2,
        rows: { songs_data: 6, albums_data: 4, artists_data: 5, playlists_data: 2 },
        entries: {
          read: 13,
          rows: 6,
          skipped: { null_entry: 2, episode: 1, local_file: 1 },
          quarantined: { invalid_added_at: 1, invalid_duration: 1, missing_artists: 1 },
        },
        artists: {
          read: 7,
          rows: 5,
          duplicates: 0,
          missing: 1,
          quarantined: { missing_artist_name: 1, null_artist: 1 },
        },
        playlistsQuarantined: {},
        unavailable: { count: 0, message: "" },
        files: 4,
        version: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      const { entries } = report;
      const skipped = Object.values(entries.skipped).reduce((a, b) => a + b, 0);
      const quarantined = Object.values(entries.quarantined).reduce((a, b) => a + b, 0);
      expect(entries.rows + skipped + quarantined).toBe(entries.read);
    });
  });
});

describe("assertAccounting", () => {
  it("throws, naming the counts, when entries do not add up to those read", () => {
    const report: TransformReport = {
      snapshot: SNAPSHOT.iso,
      playlists: 1,
      rows: { songs_data: 3, albums_data: 1, artists_data: 0, playlists_data: 1 },
      entries: {
        read: 5,
        rows: 3,
        skipped: { null_entry: 1, episode: 0, local_file: 0 },
        quarantined: {},
      },
      artists: { read: 0, rows: 0, duplicates: 0, missing: 0, quarantined: {} },
      playlistsQuarantined: {},
      unavailable: { count: 0, message: "" },
      version: "0123456789abcdef",
      files: 4,
    };
    expect(() => assertAccounting(report)).toThrow(
      "entries: rows 3 + skipped 1 + quarantined 0 = 4, but 5 were read",
    );
    report.entries.skipped.episode = 1;
    expect(() => assertAccounting(report)).not.toThrow();
  });
});
