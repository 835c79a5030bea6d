// Consecutive hours through the whole local pipeline over the living sample: an unchanged
// playlist costs one request and gives the same rows, a changed one is fetched in full,
// artists are fetched once and then refreshed only when new, and reprocessing an old hour
// after newer ones gives the bytes it gave before.

import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { catalogueAt, EVOLUTION_EPOCH } from "../../local/spotify-emulator/evolution";
import {
  generateSampleCatalogue,
  SAMPLE_USER_PLAYLIST_IDS,
} from "../../local/spotify-emulator/sample-data";
import type { RequestLogEntry } from "../../local/spotify-emulator/server";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { fingerprintFolder } from "../support/fingerprint";
import { runAgainstEmulator } from "../support/fault-harness";
import { newDataDir } from "../support/local-run";

// Hours three weeks after the sample's epoch; the rate is raised so that four hours show both
// kinds of playlist.
const FIRST_HOUR = Date.parse(EVOLUTION_EPOCH) + 500 * 3_600_000;
const HOURS = [0, 1, 2, 3].map((k) => new Date(FIRST_HOUR + k * 3_600_000).toISOString());
const CHANGE_RATE = 0.3;
const PAGE = 50;

const catalogueOf = (hour: string) =>
  catalogueAt(generateSampleCatalogue(), { hour, changeRate: CHANGE_RATE });

interface HourRun {
  requests: RequestLogEntry[];
  output: PipelineOutput;
}

async function runHour(dataDir: string, hour: string, mode?: "reprocess"): Promise<HourRun> {
  const run = await runAgainstEmulator({
    dataDir,
    input: { snapshot: hour, ...(mode ? { mode } : {}) },
    startTime: new Date(Date.parse(hour) + 5 * 60_000),
    emulator: { evolution: { hour, changeRate: CHANGE_RATE } },
  });
  expect(run.status, run.cause).toBe("SUCCEEDED");
  return { requests: run.requests, output: run.output as PipelineOutput };
}

const count = (run: HourRun, pattern: RegExp) =>
  run.requests.filter((r) => pattern.test(r.path)).length;

describe("Consecutive hours over the living sample (development mode)", () => {
  const dataDir = newDataDir();
  const runs: HourRun[] = [];
  let firstHourLake: Record<string, string>;

  beforeAll(async () => {
    for (const hour of HOURS) {
      runs.push(await runHour(dataDir, hour));
      if (runs.length === 1) firstHourLake = await partitionFiles(dataDir, HOURS[0]!);
    }
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("asks each playlist once, and the other pages only of the playlists that changed", () => {
    for (let k = 1; k < HOURS.length; k++) {
      const before = catalogueOf(HOURS[k - 1]!);
      const now = catalogueOf(HOURS[k]!);
      let changedPages = 0;
      for (const id of SAMPLE_USER_PLAYLIST_IDS) {
        const a = before.playlists.find((p) => p.playlist.id === id)!;
        const b = now.playlists.find((p) => p.playlist.id === id)!;
        if (a.playlist.snapshot_id !== b.playlist.snapshot_id) {
          changedPages += Math.max(0, Math.ceil(b.entries.length / PAGE) - 1);
        }
      }
      expect(count(runs[k]!, /^\/v1\/playlists\/[^/]+$/)).toBe(SAMPLE_USER_PLAYLIST_IDS.length);
      expect(count(runs[k]!, /^\/v1\/playlists\/[^/]+\/items$/)).toBe(changedPages);
    }
    // The first hour had nothing stored: every page.
    expect(count(runs[0]!, /\/items$/)).toBeGreaterThan(0);
  });

  it("fetches each artist once, then only the artists that are new", () => {
    const seen = new Set<string>();
    runs.forEach((run) => {
      const asked = run.requests
        .filter((r) => r.path.startsWith("/v1/artists/"))
        .map((r) => r.path.split("/").at(-1)!);
      for (const id of asked) expect(seen.has(id)).toBe(false);
      for (const id of asked) seen.add(id);
      // Every artist of the snapshot still has its row.
      expect(run.output.transform.rows.artists_data).toBe(run.output.extraction!.artists);
    });
    expect(count(runs[0]!, /^\/v1\/artists\//)).toBe(runs[0]!.output.extraction!.artists);
  });

  it("gives an unchanged playlist the same rows as the hour before, and says when artists were fetched", async () => {
    const { catalog } = localPaths(dataDir);
    const [a, b] = [catalogueOf(HOURS[0]!), catalogueOf(HOURS[1]!)];
    const unchanged = SAMPLE_USER_PLAYLIST_IDS.find((id) => {
      const pa = a.playlists.find((p) => p.playlist.id === id)!;
      const pb = b.playlists.find((p) => p.playlist.id === id)!;
      return pa.playlist.snapshot_id === pb.playlist.snapshot_id && pa.entries.length > PAGE;
    })!;
    expect(unchanged).toBeDefined();
    const rowsAt = async (hour: string) =>
      (
        await runSql(
          catalog,
          `SELECT * EXCLUDE (snapshot_date, snapshot_hour) FROM songs_data
           WHERE playlist_id = '${unchanged}' AND snapshot_date = '${hour.slice(0, 10)}'
             AND snapshot_hour = '${hour.slice(11, 13)}' ORDER BY position`,
        )
      ).rows;
    const first = await rowsAt(HOURS[0]!);
    expect(first.length).toBeGreaterThan(PAGE);
    expect(await rowsAt(HOURS[1]!)).toEqual(first);

    const fetched = await runSql(
      catalog,
      `SELECT DISTINCT strftime(fetched_at, '%H') AS h FROM artists_data
       WHERE snapshot_hour = '${HOURS[3]!.slice(11, 13)}' ORDER BY h`,
    );
    // The last hour's artists: most fetched in the first hour, some later (new artists).
    expect(fetched.rows[0]).toEqual({ h: HOURS[0]!.slice(11, 13) });
  });

  it("reprocesses the first hour after the newer ones into the bytes it had", async () => {
    const reprocess = await runHour(dataDir, HOURS[0]!, "reprocess");
    expect(reprocess.requests).toEqual([]);
    expect(await partitionFiles(dataDir, HOURS[0]!)).toEqual(firstHourLake);
  });
});

/** Fingerprints of one hour's lake files (every table and the quarantine). */
async function partitionFiles(dataDir: string, hour: string): Promise<Record<string, string>> {
  const partition = `snapshot_date=${hour.slice(0, 10)}/snapshot_hour=${hour.slice(11, 13)}`;
  const all = await fingerprintFolder(localPaths(dataDir).lake);
  const mine = Object.entries(all).filter(([key]) => key.includes(partition));
  expect(mine.length).toBeGreaterThan(4);
  return Object.fromEntries(mine);
}
