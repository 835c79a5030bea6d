// The quarantine file (functions/core/transform/quarantine.ts): one NDJSON line per record the
// transform could not trust, naming its source, place and reason, with the record exactly as
// Spotify sent it.

import { describe, expect, it } from "vitest";
import { lakeKeys } from "../../../functions/commons/keys";
import {
  BLUES,
  ROAD_TRIP,
  SNAPSHOT,
  fixture,
  onTheFixtureSnapshot,
} from "../../support/transform-fixture";

describe("transformSnapshot", () => {
  onTheFixtureSnapshot((transformed) => {
    it("quarantines each malformed track or artist as one NDJSON line naming the reason", async () => {
      const { lake, report } = transformed;
      const lines = lake
        .text(lakeKeys.quarantine(SNAPSHOT, report.version))!
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map(({ record: _record, ...rest }) => rest)).toEqual([
        { source: "playlist_item", playlist_id: BLUES, position: 1, reason: "missing_artists" },
        { source: "playlist_item", playlist_id: BLUES, position: 3, reason: "invalid_added_at" },
        {
          source: "playlist_item",
          playlist_id: ROAD_TRIP,
          position: 6,
          reason: "invalid_duration",
        },
        { source: "artist", playlist_id: null, position: 1, reason: "null_artist" },
        { source: "artist", playlist_id: null, position: 0, reason: "missing_artist_name" },
      ]);
      // The record is the raw entry exactly as Spotify sent it.
      const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0001.json`)) as {
        items: unknown[];
      };
      expect(lines[2]!.record).toEqual(page.items[1]);
      expect(lines[3]!.record).toBeNull();
    });
  });
});
