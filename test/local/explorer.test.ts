// `npm run explore`'s server, over HTTP on loopback: the empty states before any history, the
// pages and JSON over a hand-built history (test/support/history-fixture.ts) agreeing with the
// chart views, the SQL endpoints (paging, CSV, refusals), the run records, and that it serves
// everything itself and answers loopback names only. (test/browser/ drives it in Chromium.)

import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_QUERIES } from "../../local/explorer/pages";
import type { RunningExplorer } from "../../local/explorer/server";
import { startExplorer } from "../../local/explorer/server";
import { readRunRecords, runRecorder } from "../../local/run-records";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { PLAYLIST_A, PLAYLIST_B, songId } from "../support/history-fixture";
import { writeHistoryLake } from "../support/history-lake";
import { newDataDir } from "../support/local-run";

const BACKFILL = "npm run backfill -- --from ... --to ...";

async function get(explorer: RunningExplorer, path: string) {
  const response = await fetch(`${explorer.url}${path}`);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

async function query(explorer: RunningExplorer, sql: string, page?: number) {
  const response = await fetch(`${explorer.url}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql, page }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the explorer before any history", () => {
  let explorer: RunningExplorer;
  const dataDir = newDataDir();
  beforeAll(async () => {
    explorer = await startExplorer(dataDir, 0);
  });
  afterAll(() => explorer.close());

  it.each(["/", "/sql", "/playlists/" + PLAYLIST_A])(
    "%s says to run the backfill",
    async (path) => {
      const page = await get(explorer, path);
      expect(page.status).toBe(200);
      expect(page.text).toContain("No history yet");
      expect(page.text).toContain(BACKFILL);
    },
  );

  it("the runs page says no run is recorded yet", async () => {
    const page = await get(explorer, "/runs");
    expect(page.text).toContain("No runs recorded yet");
    expect(page.text).toContain(BACKFILL);
  });

  it("the API answers 404 with the state and the command", async () => {
    const response = await get(explorer, "/api/playlists");
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({ state: "no-catalog", hint: BACKFILL });
    expect((await query(explorer, "SELECT 1")).status).toBe(404);
  });
});

describe("the explorer over a hand-built history", () => {
  let explorer: RunningExplorer;
  const dataDir = newDataDir();
  const catalog = localPaths(dataDir).catalog;
  beforeAll(async () => {
    await writeHistoryLake(dataDir);
    explorer = await startExplorer(dataDir, 0);
  });
  afterAll(() => explorer.close());

  it("lists each playlist at its latest snapshot", async () => {
    const body = JSON.parse((await get(explorer, "/api/playlists")).text);
    expect(body.hours).toBe(7);
    expect(
      body.playlists.map((p: Record<string, unknown>) => [
        p.playlist_id,
        p.snapshot_date,
        p.snapshot_hour,
        p.snapshots,
      ]),
    ).toEqual([
      [PLAYLIST_A, "2026-11-23", "00", "6"],
      [PLAYLIST_B, "2026-11-23", "00", "4"],
    ]);
  });

  it("shows a playlist's current list as playlist_positions has it, with flags", async () => {
    const body = JSON.parse((await get(explorer, `/api/playlists/${PLAYLIST_A}`)).text);
    const { rows } = await runSql(
      catalog,
      `SELECT song_id, position, status FROM playlist_positions WHERE playlist_id = '${PLAYLIST_A}' AND snapshot_date = '2026-11-23' ORDER BY position`,
    );
    expect(
      body.current.map((r: Record<string, unknown>) => ({
        song_id: r.song_id,
        position: r.position,
        status: r.status,
      })),
    ).toEqual(rows);
    expect(rows.map((r) => r.status)).toEqual(["re-entry", "re-entry"]);
    expect(body.history.times).toEqual([
      "2026-11-22T00",
      "2026-11-22T01",
      "2026-11-22T02",
      "2026-11-22T04",
      "2026-11-22T05",
      "2026-11-23T00",
    ]);
    const s3 = body.history.series.find((s: { id: string }) => s.id === songId("s3"));
    expect(s3.ranks).toEqual([3, null, 4, 4, null, 1]);
    expect(
      body.daily.map((d: Record<string, unknown>) => [d.snapshot_date, d.entries, d.exits]),
    ).toEqual([
      ["2026-11-22", "2", "5"],
      ["2026-11-23", "2", "0"],
    ]);

    const page = await get(explorer, `/playlists/${PLAYLIST_A}`);
    expect(page.text.match(/<tr data-song=/g)).toHaveLength(2);
    expect(page.text).toContain('<span class="flag re-entry">RE</span>');
    expect(page.text).toContain('id="positions-chart"');
  });

  it("shows movement arrows on a playlist that moved", async () => {
    const page = await get(explorer, `/playlists/${PLAYLIST_B}`);
    expect(page.text).toContain('<span class="flag new">NEW</span>'); // s6
    expect(page.text).toContain('title="down 1"'); // s5 and s1
  });

  it("shows a song's history on every playlist it was on", async () => {
    const body = JSON.parse((await get(explorer, `/api/songs/${songId("s1")}`)).text);
    expect(
      body.runs.map((r: Record<string, unknown>) => [r.playlist_id, r.peak_position, r.entries]),
    ).toEqual([
      [PLAYLIST_A, 0, "2"],
      [PLAYLIST_B, 0, "1"],
    ]);
    expect(body.history.series.map((s: { id: string }) => s.id)).toEqual([PLAYLIST_A, PLAYLIST_B]);
    expect((await get(explorer, `/songs/${songId("s1")}`)).text).toContain('id="song-chart"');
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expect((await get(explorer, `/playlists/${"x".repeat(22)}`)).status).toBe(404);
    expect((await get(explorer, "/songs/..%2F..%2Fetc")).status).toBe(404);
    expect((await get(explorer, "/api/songs/'; DROP")).status).toBe(404);
  });

  it("runs the SQL page's examples, the two classic queries first", async () => {
    expect(EXAMPLE_QUERIES.slice(0, 2)).toEqual([
      "SELECT * FROM artists_data WHERE popularity > 80;",
      "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name;",
    ]);
    for (const sql of EXAMPLE_QUERIES) {
      const { status, body } = await query(explorer, sql);
      expect(status, sql).toBe(200);
      expect(body.total, sql).toBeGreaterThan(0);
    }
    const page = await get(explorer, "/sql");
    for (const name of [
      "songs_data",
      "playlist_positions",
      "playlist_changes",
      "song_playlist_runs",
      "playlist_daily",
    ]) {
      expect(page.text).toContain(`<strong>${name}</strong>`);
    }
  });

  it("pages a result and keeps an empty result's columns", async () => {
    const second = await query(explorer, "SELECT range AS n FROM range(120)", 2);
    expect(second.body).toMatchObject({ page: 2, pageSize: 50, total: 120, columns: ["n"] });
    expect((second.body.rows as unknown[]).length).toBe(20);
    const empty = await query(explorer, "SELECT song_id, position FROM songs_data WHERE false");
    expect(empty.body).toMatchObject({ total: 0, columns: ["song_id", "position"] });
  });

  it("refuses what is not one SELECT, saying why", async () => {
    const drop = await query(explorer, "DROP TABLE songs_data");
    expect(drop).toEqual({
      status: 400,
      body: { error: expect.stringContaining("DROP statements are refused") },
    });
    const file = await query(explorer, "SELECT * FROM read_text('/etc/passwd')");
    expect(file.status).toBe(400);
    expect((await query(explorer, "")).status).toBe(400);
  });

  it("downloads a result as CSV", async () => {
    const csv = await fetch(
      `${explorer.url}/api/query.csv?sql=${encodeURIComponent("SELECT 'a,\"b\"' AS x, NULL AS y, 2 AS z")}`,
    );
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="query.csv"');
    expect(await csv.text()).toBe('x,y,z\r\n"a,""b""",,2');
  });

  it("serves its script and styles itself, and no page refers elsewhere", async () => {
    const script = await get(explorer, "/assets/explorer.js");
    expect(script.type).toContain("text/javascript");
    expect(script.text).toContain("u-legend"); // uPlot, bundled
    expect((await get(explorer, "/assets/uPlot.min.css")).text).toContain(".uplot");
    for (const path of [
      "/",
      `/playlists/${PLAYLIST_A}`,
      `/songs/${songId("s1")}`,
      "/sql",
      "/runs",
    ]) {
      expect((await get(explorer, path)).text).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it("answers loopback names only", async () => {
    const { port } = new URL(explorer.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/", headers: { host: "rebound.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe("the runs page", () => {
  it("shows each recorded run with its states, rows and checks", async () => {
    const dataDir = newDataDir();
    const recorder = runRecorder(dataDir, {
      executionName: "local-1",
      startTime: new Date("2026-11-22T05:00:03Z"),
      redriveCount: 0,
    });
    const run = { snapshot: "2026-11-22T05:00:00.000Z", mode: "full" };
    recorder.observe({ phase: "entered", state: "PrepareRun", input: {} });
    recorder.observe({ phase: "succeeded", state: "PrepareRun", input: {}, durationMs: 4 });
    recorder.observe({ phase: "entered", state: "GetValidationStatus", input: { run } });
    recorder.observe({
      phase: "failed",
      state: "GetValidationStatus",
      input: { run },
      durationMs: 9,
      error: "DataQualityError",
    });
    await recorder.save({
      status: "FAILED",
      executionId: "arn",
      executionName: "local-1",
      error: "DataQualityError",
      cause: "1 of 18 checks failed",
      failedState: { name: "GetValidationStatus", input: {} },
      durationMs: 1234,
      quotas: {} as never,
    });
    expect(await readRunRecords(dataDir)).toEqual([
      expect.objectContaining({
        snapshot: run.snapshot,
        status: "FAILED",
        failedState: "GetValidationStatus",
        states: [
          { name: "PrepareRun", entered: 1, retried: 0, durationMs: 4, outcome: "succeeded" },
          { name: "GetValidationStatus", entered: 1, retried: 0, durationMs: 9, outcome: "failed" },
        ],
      }),
    ]);
    const explorer = await startExplorer(dataDir, 0);
    try {
      const page = await get(explorer, "/runs");
      expect(page.text).toContain("2026-11-22 05:00");
      expect(page.text).toContain("GetValidationStatus: DataQualityError");
      expect(page.text).toContain("1 of 18 checks failed");
    } finally {
      await explorer.close();
    }
  });

  it("records nothing for a run that never fixed its snapshot hour", async () => {
    const dataDir = newDataDir();
    const recorder = runRecorder(dataDir, {
      executionName: "x",
      startTime: new Date(),
      redriveCount: 0,
    });
    recorder.observe({
      phase: "failed",
      state: "PrepareRun",
      input: {},
      error: "InvalidInputError",
    });
    await recorder.save({
      status: "FAILED",
      executionId: "a",
      executionName: "x",
      durationMs: 1,
      quotas: {} as never,
    });
    expect(await readRunRecords(dataDir)).toEqual([]);
  });
});
