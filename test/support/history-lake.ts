// A local lake holding a hand-built history (history-fixture.ts): Parquet files of songs_data,
// playlists_data and artists_data per hour, written by DuckDB where the crawl step puts the
// crawler's copy (`_crawl/<table>/…`), then crawled into the catalog as a first run's crawl
// would, so the explorer reads it through the catalog exactly as it reads a pipeline's lake.

import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { lakeKeys, type LakeTable } from "../../functions/commons/keys";
import { DuckDbCrawler } from "../../local/adapters/duckdb-crawler";
import { sqlString } from "../../local/adapters/duckdb";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import { localPaths } from "../../local/local-pipeline";
import type { PlaylistHour } from "./history-fixture";
import { HISTORY, historyRows } from "./history-fixture";

const literal = (value: unknown) =>
  value === null ? "NULL" : typeof value === "string" ? sqlString(value) : String(value);

/**
 * Creates tables `songsTable` and `playlistsTable` holding the history's rows (the columns
 * the views read), in a DuckDB connection.
 */
export async function loadHistoryTables(
  db: DuckDBConnection,
  { songs, playlists }: ReturnType<typeof historyRows>,
  songsTable: string,
  playlistsTable: string,
): Promise<void> {
  await db.run(
    `CREATE TABLE ${songsTable} (playlist_id VARCHAR, position INTEGER, song_id VARCHAR, song_name VARCHAR, artist_name VARCHAR, snapshot_date VARCHAR, snapshot_hour VARCHAR)`,
  );
  await db.run(
    `CREATE TABLE ${playlistsTable} (playlist_id VARCHAR, playlist_name VARCHAR, followers BIGINT, available BOOLEAN, snapshot_date VARCHAR, snapshot_hour VARCHAR)`,
  );
  for (const [table, rows] of [
    [songsTable, songs],
    [playlistsTable, playlists],
  ] as const) {
    const values = rows.map((r) => `(${Object.values(r).map(literal).join(", ")})`);
    if (values.length > 0) await db.run(`INSERT INTO ${table} VALUES ${values.join(", ")}`);
  }
}

export async function writeHistoryLake(
  dataDir: string,
  history: readonly PlaylistHour[] = HISTORY,
): Promise<void> {
  const paths = localPaths(dataDir);
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    await loadHistoryTables(db, historyRows(history), "songs", "playlists");
    const hours = [...new Set(history.map((p) => `${p.date}/${p.hour}`))];
    for (const hour of hours) {
      const [date, hh] = hour.split("/") as [string, string];
      const where = `snapshot_date = ${sqlString(date)} AND snapshot_hour = ${sqlString(hh)}`;
      const tables = {
        // The album of a song is named after it, so the classic GROUP BY album_name has groups.
        songs_data: `SELECT playlist_id, position, song_id, song_name, 'album of ' || song_name AS album_name, artist_name FROM songs WHERE ${where}`,
        playlists_data: `SELECT playlist_id, playlist_name, followers, available FROM playlists WHERE ${where}`,
        artists_data: `SELECT DISTINCT 'artist' || song_id AS artist_id, artist_name, CAST(60 + 10 * position AS INTEGER) AS popularity FROM songs WHERE ${where}`,
      };
      for (const [table, select] of Object.entries(tables)) {
        const folder = join(
          paths.lake,
          lakeKeys.crawlTablePrefix(table as LakeTable),
          `snapshot_date=${date}`,
          `snapshot_hour=${hh}`,
        );
        mkdirSync(folder, { recursive: true });
        await db.run(
          `COPY (${select}) TO ${sqlString(join(folder, "part-00000.parquet"))} (FORMAT parquet)`,
        );
      }
    }
  } finally {
    db.closeSync();
    instance.closeSync();
  }
  await new DuckDbCrawler(
    new FileObjectStore(paths.lake),
    paths.catalog,
    paths.crawlerState,
  ).crawl();
}
