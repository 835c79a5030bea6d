// The chart views in the local catalog: recorded by every catalog write, created for every
// reader, and never in the way of the crawl or the checks when a lake cannot hold them.

import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HISTORY_VIEWS } from "../../functions/core/history/views";
import { DuckDbCatalog } from "../../local/adapters/duckdb-catalog";
import { DuckDbCrawler } from "../../local/adapters/duckdb-crawler";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import { localPaths } from "../../local/local-pipeline";
import { writeHistoryLake } from "../support/history-lake";
import { newDataDir } from "../support/local-run";

describe("chart views in the local catalog", () => {
  it("are there for every reader after a crawl", async () => {
    const dataDir = newDataDir();
    await writeHistoryLake(dataDir);
    const { catalog } = localPaths(dataDir);
    const { rows } = await runSql(
      catalog,
      "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name NOT LIKE '%_data' ORDER BY ALL",
    );
    expect(rows.map((r) => r.view_name)).toEqual(HISTORY_VIEWS.map((v) => v.name).sort());
    expect((await runSql(catalog, "SELECT COUNT(*) AS n FROM playlist_positions")).rows).toEqual([
      { n: "24" },
    ]);
  });

  it("leave the catalog readable when the tables cannot hold them, and name the view", async () => {
    const dataDir = newDataDir();
    const paths = localPaths(dataDir);
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    for (const [table, select] of [
      ["songs_data", "SELECT 'p' AS playlist_id, 0 AS position"], // no song_id
      ["playlists_data", "SELECT 'p' AS playlist_id, true AS available"],
    ]) {
      // Where the crawl step puts the crawler's copy: what the local crawler reads.
      const folder = join(
        paths.lake,
        "_crawl",
        table!,
        "snapshot_date=2026-11-22",
        "snapshot_hour=05",
      );
      mkdirSync(folder, { recursive: true });
      await db.run(`COPY (${select}) TO '${join(folder, "part-00000.parquet")}' (FORMAT parquet)`);
    }
    db.closeSync();
    instance.closeSync();
    const lake = new FileObjectStore(paths.lake);
    await new DuckDbCrawler(lake, paths.catalog, paths.crawlerState).crawl();

    expect(await new DuckDbCatalog(lake, paths.catalog).tableColumns("songs_data")).toEqual([
      { name: "playlist_id", type: "string" },
      { name: "position", type: "int" },
    ]);
    expect((await runSql(paths.catalog, "SELECT COUNT(*) AS n FROM songs_data")).rows).toEqual([
      { n: "1" },
    ]);
    await expect(runSql(paths.catalog, "SELECT * FROM playlist_positions")).rejects.toThrow(
      /playlist_positions/,
    );
  });
});
