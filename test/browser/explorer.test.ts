// `npm run explore` in a real headless browser (Debian's Chromium driven by playwright-core):
// over a lake built by three local runs of consecutive hours, the playlist page lists what
// playlist_positions says (whatever moved), its chart draws, the SQL page runs a query and
// agrees with the sandboxed query, and the runs page shows the three runs; no page asks for
// anything but the explorer itself. Screenshots go to .local/test-output/browser/ (the one
// of a history that moves, playlist-history.png, is the README's docs/explorer-playlist.png).
// Run with `npm run test:browser`; .ci/run installs Chromium first when it is missing.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import type { RunningExplorer } from "../../local/explorer/server";
import { startExplorer } from "../../local/explorer/server";
import { localPaths } from "../../local/local-pipeline";
import { demoHistory, PLAYLIST_B } from "../support/history-fixture";
import { writeHistoryLake } from "../support/history-lake";
import { newDataDir, runWithEmulator } from "../support/local-run";

const OUTPUT = join(__dirname, "..", "..", ".local", "test-output", "browser");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Chromium otherwise reaches for update, sync and safe-browsing hosts.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const HOURS = ["2026-11-22T05:00:00Z", "2026-11-22T06:00:00Z", "2026-11-22T07:00:00Z"];

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
});
afterAll(() => browser?.close());

/** A fresh page that records every request not addressed to the explorer. */
async function openPage(explorer: RunningExplorer) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(`${explorer.url}/`)) elsewhere.push(r.url());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, elsewhere, errors };
}

/** Whether a canvas under `selector` has any drawn (non-transparent) pixel. */
const chartDrawn = (page: Page, selector: string) =>
  page.$eval(`${selector} canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const pixels = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return c.width > 0;
    return false;
  });

describe("the explorer over three hourly local runs", () => {
  const dataDir = newDataDir();
  const catalog = localPaths(dataDir).catalog;
  let explorer: RunningExplorer;

  beforeAll(async () => {
    for (const snapshot of HOURS) {
      const run = await runWithEmulator({
        dataDir,
        input: { snapshot },
        startTime: new Date(Date.parse(snapshot) + 4 * 60_000),
      });
      expect(run.status, `${snapshot}: ${run.error} ${run.cause}`).toBe("SUCCEEDED");
    }
    explorer = await startExplorer(dataDir, 0);
  }, 180_000);
  afterAll(() => explorer?.close());

  it("lists every playlist, and a playlist page shows playlist_positions with a chart", async () => {
    const { page, elsewhere, errors } = await openPage(explorer);
    await page.goto(`${explorer.url}/`);
    const { rows: playlists } = await runSql(
      catalog,
      "SELECT playlist_id, MAX(snapshot_number) AS n FROM playlist_snapshots GROUP BY playlist_id ORDER BY n DESC, playlist_id",
    );
    expect(await page.locator("#playlists tbody tr").count()).toBe(playlists.length);
    expect(playlists[0]!.n).toBe(String(HOURS.length));

    const id = String(playlists[0]!.playlist_id);
    await page.goto(`${explorer.url}/playlists/${id}`);
    const { rows: expected } = await runSql(
      catalog,
      `SELECT position, song_name, status FROM playlist_positions WHERE playlist_id = '${id}' AND snapshot_number = ${HOURS.length} ORDER BY position`,
    );
    expect(expected.length).toBeGreaterThan(0);
    const shown = await page.$$eval("#current tbody tr", (trs) =>
      trs.map((tr) => ({
        rank: tr.children[0]!.textContent,
        song: tr.children[2]!.textContent,
        status: (tr as HTMLElement).dataset.status,
        flag: tr.children[1]!.textContent!.trim(),
      })),
    );
    expect(shown.map(({ rank, song, status }) => ({ rank, song, status }))).toEqual(
      expected.map((r) => ({
        rank: String(Number(r.position) + 1),
        song: r.song_name,
        status: r.status,
      })),
    );
    const FLAGS: Record<string, RegExp> = {
      new: /^NEW$/,
      "re-entry": /^RE$/,
      up: /^▲ \d+$/,
      down: /^▼ \d+$/,
      same: /^=$/,
    };
    for (const row of shown) expect(row.flag).toMatch(FLAGS[row.status!]!);

    await page.waitForSelector("#positions-chart canvas");
    expect(await chartDrawn(page, "#positions-chart")).toBe(true);
    expect(await chartDrawn(page, "#daily-chart")).toBe(true);
    await page.screenshot({ path: join(OUTPUT, "playlist.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
  });

  it("picking a song adds its line to the chart", async () => {
    const { page } = await openPage(explorer);
    const { rows } = await runSql(catalog, "SELECT playlist_id FROM playlist_snapshots LIMIT 1");
    await page.goto(`${explorer.url}/playlists/${String(rows[0]!.playlist_id)}`);
    const legend = page.locator("#positions-chart .u-legend .u-series:not(.u-off)");
    const before = await legend.count();
    const unpicked = page.locator("#song-picks input:not(:checked)").first();
    if ((await unpicked.count()) === 0) {
      await page.locator("#song-picks input:checked").first().uncheck();
      expect(await legend.count()).toBe(before - 1);
    } else {
      await unpicked.check();
      expect(await legend.count()).toBe(before + 1);
    }
  });

  it("runs a query on the SQL page, as the sandboxed query does", async () => {
    const { page, elsewhere, errors } = await openPage(explorer);
    await page.goto(`${explorer.url}/sql`);
    await page.locator("button.example").nth(1).click();
    await page.waitForSelector("#result-table");
    const sql = "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name;";
    expect(await page.locator("#sql").inputValue()).toBe(sql);
    const { rows } = await runSql(catalog, sql);
    expect(await page.locator("#result-table tbody tr").count()).toBe(Math.min(50, rows.length));
    await expect
      .poll(() => page.locator("#query-status").textContent())
      .toContain(`of ${rows.length}`);
    expect(await page.locator("#csv-link").getAttribute("href")).toBe(
      `/api/query.csv?sql=${encodeURIComponent(sql)}`,
    );
    expect(await page.locator("#schema").textContent()).toContain("playlist_positions");

    await page.locator("#sql").fill("DELETE FROM songs_data");
    await page.locator("#run-query").click();
    await expect.poll(() => page.locator("#query-error").textContent()).toContain("refused");
    await page.locator("#sql").fill(sql);
    await page.locator("#run-query").click();
    await page.waitForSelector("#result-table");
    await page.screenshot({ path: join(OUTPUT, "sql.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
  });

  it("shows each run with its states, rows and checks", async () => {
    const { page } = await openPage(explorer);
    await page.goto(`${explorer.url}/runs`);
    const runs = await page.$$eval("#run-list tbody tr", (trs) =>
      trs.map((tr) => [tr.children[1]!.textContent, tr.children[3]!.textContent]),
    );
    expect(runs).toEqual(
      [...HOURS].reverse().map((h) => [`${h.slice(0, 13).replace("T", " ")}:00`, "SUCCEEDED"]),
    );
    await page.locator("details.run summary").first().click();
    const details = await page.locator("details.run").first().textContent();
    expect(details).toContain("TransformSnapshot");
    expect(details).toContain("songs_data");
    expect(details).toContain("✔ songs_data_row_count_matches_transform");
    await page.screenshot({ path: join(OUTPUT, "runs.png"), fullPage: true });
  });
});

describe("the explorer over a history that moves", () => {
  // The lakes are setup (under the hook timeout), so a test's own time is the browser's.
  let handBuilt = "";
  let dayAndAHalf = "";
  beforeAll(async () => {
    handBuilt = newDataDir();
    await writeHistoryLake(handBuilt);
    dayAndAHalf = newDataDir();
    await writeHistoryLake(dayAndAHalf, demoHistory());
  });

  it("shows the hand-built history's arrows and flags", async () => {
    const explorer = await startExplorer(handBuilt, 0);
    try {
      const { page, elsewhere } = await openPage(explorer);
      await page.goto(`${explorer.url}/playlists/${PLAYLIST_B}`);
      await page.waitForSelector("#positions-chart canvas");
      expect(await page.locator("#current .flag.new").count()).toBe(1);
      expect(await page.locator("#current .down").count()).toBe(2);
      expect(elsewhere).toEqual([]);
    } finally {
      await explorer.close();
    }
  });

  it("draws a day and a half of movement (the README's screenshot)", async () => {
    const explorer = await startExplorer(dayAndAHalf, 0);
    try {
      const { page, elsewhere } = await openPage(explorer);
      await page.goto(`${explorer.url}/playlists/DemoLateNightDrive0000`);
      await page.waitForSelector("#positions-chart canvas");
      expect(await chartDrawn(page, "#positions-chart")).toBe(true);
      expect(await page.locator("#current tbody tr").count()).toBe(10);
      expect(await page.locator("#current .flag").count()).toBe(1);
      expect(await page.locator("#current .up, #current .down").count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(OUTPUT, "playlist-history.png"), fullPage: true });
      expect(elsewhere).toEqual([]);
    } finally {
      await explorer.close();
    }
  });
});
