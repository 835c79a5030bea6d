// `npm run query` runs whatever SQL it is given over the local catalog
// (local/adapters/duckdb-catalog.ts): it must read the lake's tables and nothing else, change
// nothing, and name the statement it refuses. The classic queries still work.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { newDataDir, runWithEmulator } from "../support/local-run";
import { SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";

describe("The sandboxed query command", () => {
  const dataDir = newDataDir();
  const { catalog, lake, raw } = localPaths(dataDir);
  const outside = join(dataDir, "outside.txt");

  beforeAll(async () => {
    const run = await runWithEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS.slice(0, 2) },
      startTime: START,
    });
    expect(run.status).toBe("SUCCEEDED");
    writeFileSync(outside, "name\nsecret\n");
  });

  it("runs the classic queries", async () => {
    const perAlbum = await runSql(
      catalog,
      "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name",
    );
    expect(perAlbum.rows.length).toBeGreaterThan(0);
    const popular = await runSql(catalog, "SELECT * FROM artists_data WHERE popularity > 80;");
    expect(popular.columns).toContain("artist_name");
  });

  it.each([
    [
      "COPY ... TO a file outside the lake",
      "COPY songs_data TO '/tmp/copied.csv'",
      /COPY statements are refused/,
    ],
    [
      "COPY ... TO",
      `COPY (SELECT * FROM songs_data) TO '${lake}/copied.csv'`,
      /COPY statements are refused/,
    ],
    ["ATTACH", `ATTACH '${dataDir}/other.duckdb' AS other`, /ATTACH statements are refused/],
    ["INSTALL", "INSTALL httpfs", /statements are refused/],
    ["LOAD", "LOAD httpfs", /LOAD statements are refused/],
    ["SET", "SET enable_external_access = true", /SET statements are refused/],
    [
      "CREATE OR REPLACE VIEW",
      "CREATE OR REPLACE VIEW songs_data AS SELECT 1 AS x",
      /CREATE statements are refused/,
    ],
    ["a second statement", "SELECT 1; DROP VIEW songs_data", /exactly one SELECT statement/],
    ["reading a file outside the lake", `SELECT * FROM read_csv('${outside}')`, /Permission Error/],
    ["reading /etc/passwd", "SELECT * FROM read_text('/etc/passwd')", /Permission Error/],
    ["reading the raw layer", `SELECT * FROM read_text('${raw}/**')`, /Permission Error/],
    [
      "climbing out of the lake",
      `SELECT * FROM read_text('${lake}/../outside.txt')`,
      /Permission Error/,
    ],
  ])("refuses %s, naming why", async (_what, sql, reason) => {
    await expect(runSql(catalog, sql)).rejects.toThrow(reason);
  });

  it("changed nothing: no file written, the tables as the crawl registered them", async () => {
    expect(existsSync(join(lake, "copied.csv"))).toBe(false);
    expect(existsSync(join(dataDir, "other.duckdb"))).toBe(false);
    const { columns } = await runSql(catalog, "SELECT * FROM songs_data LIMIT 1");
    expect(columns).toContain("song_id");
    expect(readFileSync(outside, "utf8")).toBe("name\nsecret\n");
  });
});
