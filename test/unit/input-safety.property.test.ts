// The execution input is the only value from outside that can reach a storage key. These tests
// hold prepareRun to that: anything invalid fails with InvalidInputError (test/e2e/invalid-input
// shows a full run then writes nothing), and anything accepted yields only ids and snapshot
// hours whose raw and lake keys stay inside the snapshot's own partition.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../functions/commons/errors";
import { LAKE_TABLES, lakeKeys, rawKeys } from "../../functions/commons/keys";
import { isSpotifyId, snapshotHourFromIso } from "../../functions/commons/snapshot";
import { prepareRun } from "../../functions/core/prepare-run";
import { SAMPLE_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import { EXECUTION, INVALID_INPUTS } from "../support/invalid-inputs";

const DEFAULTS = SAMPLE_PLAYLIST_IDS.slice(0, 3);
const ID = "3cEYpjA9oz9GiPac4AsH4n";
const SNAPSHOT_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/;

describe("Invalid execution input", () => {
  it.each(INVALID_INPUTS)(
    "prepareRun refuses %s with InvalidInputError naming it",
    (_, input, field) => {
      let thrown: unknown;
      try {
        prepareRun(input, EXECUTION, DEFAULTS);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidInputError);
      expect((thrown as InvalidInputError).field).toContain(field);
    },
  );
});

// JSON-ish values, biased towards what an input could almost be: real ids, near-ids, hostile
// path pieces, ISO-looking times, the three known field names.
const nearId = fc.oneof(
  fc.constantFrom(...SAMPLE_PLAYLIST_IDS),
  fc.stringMatching(/^[0-9A-Za-z]{22}$/),
  fc.stringMatching(/^[0-9A-Za-z./\\%_-]{20,24}$/),
  fc.constantFrom(
    "..",
    "../",
    "/etc/passwd",
    `${ID}/..`,
    `${ID}\n`,
    ` ${ID}`,
    `${ID.slice(0, 21)}é`,
  ),
);
const isoish = fc.oneof(
  fc
    .date({
      min: new Date("1990-01-01T00:00:00Z"),
      max: new Date("2100-01-01T00:00:00Z"),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/),
  fc.string(),
);
const value = fc.oneof(fc.jsonValue(), nearId, isoish, fc.array(nearId, { maxLength: 5 }));
const inputs = fc.oneof(
  fc.record(
    {
      snapshot: isoish,
      playlists: fc.array(nearId, { maxLength: 6 }),
      mode: fc.constantFrom("full", "reprocess", "x"),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.oneof(fc.constantFrom("snapshot", "playlists", "mode"), fc.string()), value, {
    maxKeys: 4,
  }),
  fc.jsonValue(),
);

describe("Property: prepareRun is the gate to every storage key", () => {
  it("either throws InvalidInputError or returns only valid ids and a whole-hour snapshot", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        let run;
        try {
          run = prepareRun(input, EXECUTION, DEFAULTS);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          return;
        }
        expect(run.snapshot).toMatch(SNAPSHOT_ISO);
        expect(Date.parse(run.snapshot)).toBeLessThanOrEqual(Date.parse(EXECUTION.startTime));
        expect(`${run.snapshotDate}T${run.snapshotHour}`).toBe(run.snapshot.slice(0, 13));
        expect(run.playlists.length).toBeGreaterThan(0);
        for (const id of run.playlists) expect(isSpotifyId(id), id).toBe(true);
        expect(["full", "reprocess"]).toContain(run.mode);
      }),
      { numRuns: 2000, seed: 20261122 },
    );
  });

  it("keeps every raw and lake key of an accepted run under that snapshot's own prefixes", () => {
    const VERSION = "0123456789abcdef";
    fc.assert(
      fc.property(inputs, fc.nat({ max: 9999 }), (input, page) => {
        let run;
        try {
          run = prepareRun(input, EXECUTION, DEFAULTS);
        } catch {
          return;
        }
        const snapshot = snapshotHourFromIso(run.snapshot);
        const partition = `snapshot_date=${run.snapshotDate}/snapshot_hour=${run.snapshotHour}/`;
        const rawPrefix = `spotify/${partition}`;
        const keys: [string, string][] = [
          [rawKeys.artistsResponse(snapshot, page), rawPrefix],
          [rawKeys.artistsManifest(snapshot), rawPrefix],
          [lakeKeys.quarantine(snapshot, VERSION), `quarantine/${partition}version=${VERSION}/`],
          [lakeKeys.transformReport(snapshot, VERSION), `_reports/${partition}version=${VERSION}/`],
          [lakeKeys.crawlPartitionPrefix("songs_data", snapshot), `_crawl/songs_data/${partition}`],
          [lakeKeys.publication(snapshot), `_published/${partition.slice(0, -1)}.json`],
        ];
        for (const id of run.playlists) {
          const own = `${rawPrefix}playlist_id=${id}/`;
          keys.push([rawKeys.playlist(snapshot, id), own]);
          keys.push([rawKeys.itemsPage(snapshot, id, page), own]);
          keys.push([rawKeys.playlistManifest(snapshot, id), own]);
        }
        for (const table of LAKE_TABLES) {
          keys.push([
            lakeKeys.tableFile(table, snapshot, VERSION, page),
            `${table}/${partition}version=${VERSION}/`,
          ]);
        }
        for (const [key, prefix] of keys) {
          expect(key.startsWith(prefix), key).toBe(true);
          expect(key.split("/"), key).not.toContain("..");
          expect(key.split("/"), key).not.toContain(".");
          expect(key, key).not.toMatch(/^\/|\\|\/\//);
          expect(
            [...key].every((c) => c >= " "),
            key,
          ).toBe(true);
          // Exactly one partition: no key names a second date or hour.
          expect(key.match(/snapshot_date=/g), key).toHaveLength(1);
        }
      }),
      { numRuns: 1000, seed: 20261123 },
    );
  });
});
