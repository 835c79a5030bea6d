// The validation checks' SQL (functions/core/validate/checks.ts): each query reads only the
// run's own partition, and together they cover every check the run must pass.

import { describe, expect, it } from "vitest";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { buildCheckQueries } from "../../../functions/core/validate/checks";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const ROWS = { songs_data: 830, albums_data: 219, artists_data: 146, playlists_data: 24 };

describe("Check queries", () => {
  it("read only the run's own partition, in every table they touch", () => {
    for (const query of buildCheckQueries(SNAPSHOT, ROWS)) {
      const tables = query.sql.match(/FROM (\w+_data)/g) ?? [];
      const filters = query.sql.match(
        /snapshot_date = '2026-11-22' AND \w*\.?snapshot_hour = '05'/g,
      );
      expect(filters?.length, query.name).toBe(tables.length);
    }
  });

  it("cover non-empty tables, null keys, duplicate positions, albums and artists present, and counts", () => {
    const checks = buildCheckQueries(SNAPSHOT, ROWS).flatMap((q) =>
      q.assertions.map((a) => a.check),
    );
    expect(checks).toEqual(
      expect.arrayContaining([
        "songs_data_not_empty",
        "artists_data_not_empty",
        "songs_data_no_null_keys",
        "songs_data_no_duplicate_positions",
        "songs_data_row_count_matches_transform",
        "every_song_album_present",
        "every_song_artist_present",
      ]),
    );
  });
});
