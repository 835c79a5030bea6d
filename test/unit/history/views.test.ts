// The chart views, on DuckDB over a hand-built history, agree row for row with a reference
// computation in TypeScript (test/support/history-fixture.ts); the statuses, entries, exits,
// peaks and days below spell out what the views mean. The same SQL is checked against Trino's
// grammar and Athena's functions in test/sql/athena-sql.test.ts (as saved queries).

import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HISTORY_VIEWS } from "../../../functions/core/history/views";
import { glueTypeOf } from "../../../local/adapters/duckdb-catalog";
import {
  historyRows,
  PLAYLIST_A,
  PLAYLIST_B,
  referenceViews,
  songId,
} from "../../support/history-fixture";
import { loadHistoryTables } from "../../support/history-lake";

let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await loadHistoryTables(db, historyRows(), "songs_data", "playlists_data");
  for (const view of HISTORY_VIEWS) await db.run(`CREATE VIEW ${view.name} AS ${view.sql}`);
});

afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

/** A view's rows, numbers as numbers (DuckDB gives BIGINT as text), in a stable order. */
async function rowsOf(view: string, where = "TRUE") {
  const reader = await db.runAndReadAll(`SELECT * FROM ${view} WHERE ${where}`);
  const columns = reader.columnNames();
  const types = reader.columnTypes().map(String);
  return sorted(
    reader.getRowObjectsJson().map((row) =>
      Object.fromEntries(
        columns.map((c, i) => {
          const v = row[c];
          const numeric = /INT|DOUBLE/.test(types[i]!);
          return [c, v === null || v === undefined ? null : numeric ? Number(v) : v];
        }),
      ),
    ),
  );
}

const sorted = <R extends Record<string, unknown>>(rows: R[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const statusesOf = async (playlist: string, song: string) =>
  (
    await rowsOf(
      "playlist_positions",
      `playlist_id = '${playlist}' AND song_id = '${songId(song)}' ORDER BY snapshot_number`,
    )
  )
    .sort((a, b) => Number(a.snapshot_number) - Number(b.snapshot_number))
    .map((r) => `${r.snapshot_date}T${r.snapshot_hour} ${r.status} ${r.position}`);

describe("chart views over a hand-built history", () => {
  const reference = referenceViews();

  it.each(HISTORY_VIEWS.map((v) => v.name))("%s returns the reference rows", async (name) => {
    const expected = reference[name as keyof typeof reference];
    expect(expected.length).toBeGreaterThan(0);
    expect(await rowsOf(name)).toEqual(sorted(expected));
  });

  it.each(HISTORY_VIEWS)("$name has the columns and Glue types it declares", async (view) => {
    const described = await db.runAndReadAll(`DESCRIBE ${view.name}`);
    expect(
      described.getRowObjectsJson().map((r) => ({
        name: String(r.column_name),
        type: glueTypeOf(String(r.column_type)),
      })),
    ).toEqual(view.columns.map(({ name, type }) => ({ name, type })));
  });

  it("gives every status: new, up, down, same and re-entry after an exit", async () => {
    expect(await statusesOf(PLAYLIST_A, "s3")).toEqual([
      "2026-11-22T00 new 2",
      "2026-11-22T02 re-entry 3",
      "2026-11-22T04 same 3", // the refused hour 03 is skipped, not an exit
      "2026-11-23T00 re-entry 0", // 05 was read empty: it had left
    ]);
    expect(await statusesOf(PLAYLIST_A, "s2")).toEqual([
      "2026-11-22T00 new 1",
      "2026-11-22T01 up 0",
      "2026-11-22T02 same 0",
      "2026-11-22T04 down 1",
    ]);
  });

  it("counts a song listed twice once, at its best position", async () => {
    expect(await statusesOf(PLAYLIST_A, "s1")).toContain("2026-11-22T04 up 0");
    const [run] = await rowsOf(
      "song_playlist_runs",
      `playlist_id = '${PLAYLIST_A}' AND song_id = '${songId("s1")}'`,
    );
    expect(run).toMatchObject({ snapshots: 5, days: 2, entries: 2, peak_position: 0 });
  });

  it("compares a playlist missing from a run with its last snapshot before", async () => {
    expect(await statusesOf(PLAYLIST_B, "s5")).toEqual([
      "2026-11-22T00 new 1",
      "2026-11-22T02 up 0",
      "2026-11-22T03 same 0",
      "2026-11-23T00 down 1",
    ]);
  });

  it("dates a tied peak at the first snapshot that reached it", async () => {
    const [run] = await rowsOf(
      "song_playlist_runs",
      `playlist_id = '${PLAYLIST_B}' AND song_id = '${songId("s5")}'`,
    );
    expect(run).toMatchObject({ peak_position: 0, peak_date: "2026-11-22", peak_hour: "02" });
  });

  it("lists entries and exits at the later snapshot, and sums them per day", async () => {
    const changes = await rowsOf(
      "playlist_changes",
      `playlist_id = '${PLAYLIST_A}' AND snapshot_hour = '05'`,
    );
    expect(changes.map((c) => `${c.change} ${c.song_name} ${c.previous_position}`)).toEqual([
      "left s1 0",
      "left s2 1",
      "left s3 3",
    ]);
    const days = await rowsOf("playlist_daily", `playlist_id = '${PLAYLIST_A}'`);
    expect(days).toEqual([
      expect.objectContaining({ snapshot_date: "2026-11-22", snapshots: 5, songs: 0 }),
      expect.objectContaining({
        snapshot_date: "2026-11-23",
        entries: 2,
        exits: 0,
        songs: 2,
        turnover: 1,
        followers: 150,
      }),
    ]);
    // 01: s4 in, s3 out; 02: s3 in; 04: s4 out; 05: s1, s2, s3 out.
    expect(days[0]).toMatchObject({ entries: 2, exits: 5, turnover: null });
  });
});
