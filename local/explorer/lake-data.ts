// What the explorer shows, read from the local lake through the same sandbox as
// `npm run query` (read-only, confined to the lake, SELECT only): one catalog connection per
// request, the chart views for history, the run records for runs. Every value that reaches
// SQL is an id checked against Spotify's id alphabet, so inlining it as a literal is safe.

import { existsSync } from "node:fs";
import { LAKE_TABLES } from "../../functions/commons/keys";
import { sandboxedQuery, withCatalog } from "../adapters/duckdb-catalog";
import { sqlString } from "../adapters/duckdb";
import { localPaths } from "../local-pipeline";

export type Row = Record<string, unknown>;

export interface Lake {
  query(sql: string): Promise<Row[]>;
}

/** Why there is nothing to show, or "ready". */
export type LakeState = "no-catalog" | "no-history" | "ready";

/** A Spotify id (base-62, 22 characters), or undefined. */
export const spotifyId = (value: string): string | undefined =>
  /^[0-9A-Za-z]{22}$/.test(value) ? value : undefined;

/** Opens the lake read-only and sandboxed for `work`. */
export async function withLake<T>(dataDir: string, work: (lake: Lake) => Promise<T>): Promise<T> {
  return withCatalog(
    localPaths(dataDir).catalog,
    (db) =>
      work({
        query: async (sql) => (await sandboxedQuery(db, sql)).getRowObjectsJson() as Row[],
      }),
    { sandbox: true },
  );
}

/** The history views exist once a run has recorded them over songs_data and playlists_data. */
export async function lakeState(dataDir: string): Promise<LakeState> {
  if (!existsSync(localPaths(dataDir).catalog)) return "no-catalog";
  const views = await withLake(dataDir, (lake) =>
    lake.query("SELECT view_name FROM duckdb_views() WHERE view_name = 'playlist_snapshots'"),
  );
  return views.length === 0 ? "no-history" : "ready";
}

const latestOf = (playlist: string) =>
  `(SELECT MAX(snapshot_number) FROM playlist_snapshots WHERE playlist_id = ${sqlString(playlist)})`;

/** Every playlist at its latest snapshot, with what changed there, and the lake's span. */
export async function overview(lake: Lake) {
  const playlists =
    await lake.query(`SELECT s.playlist_id, s.playlist_name, s.snapshot_date, s.snapshot_hour,
  s.snapshot_number AS snapshots, s.songs, s.followers,
  COUNT(CASE WHEN c.change = 'entered' THEN 1 END) AS entered,
  COUNT(CASE WHEN c.change = 'left' THEN 1 END) AS "left"
FROM playlist_snapshots AS s
LEFT JOIN playlist_changes AS c ON c.playlist_id = s.playlist_id AND c.snapshot_number = s.snapshot_number
WHERE s.snapshot_number = (SELECT MAX(snapshot_number) FROM playlist_snapshots AS m WHERE m.playlist_id = s.playlist_id)
GROUP BY ALL
ORDER BY s.playlist_name, s.playlist_id`);
  const [span] =
    await lake.query(`SELECT COUNT(DISTINCT snapshot_date || 'T' || snapshot_hour) AS hours,
  MIN(snapshot_date || 'T' || snapshot_hour) AS first, MAX(snapshot_date || 'T' || snapshot_hour) AS last
FROM playlist_snapshots`);
  return { playlists, hours: Number(span?.hours ?? 0), first: span?.first, last: span?.last };
}

/** A playlist: its latest list with movement and tenure, its history, days and last changes. */
export async function playlistDetail(lake: Lake, playlist: string) {
  const id = sqlString(playlist);
  const [info] = await lake.query(
    `SELECT * FROM playlist_snapshots WHERE playlist_id = ${id} AND snapshot_number = ${latestOf(playlist)}`,
  );
  if (!info) return undefined;
  const current =
    await lake.query(`SELECT p.position, p.song_id, p.song_name, p.artist_name, p.previous_position,
  p.movement, p.status, r.peak_position, r.peak_date, r.peak_hour, r.snapshots, r.days, r.entries
FROM playlist_positions AS p
JOIN song_playlist_runs AS r ON r.playlist_id = p.playlist_id AND r.song_id = p.song_id
WHERE p.playlist_id = ${id} AND p.snapshot_number = ${latestOf(playlist)}
ORDER BY p.position`);
  const snapshots = await lake.query(
    `SELECT snapshot_date, snapshot_hour FROM playlist_snapshots WHERE playlist_id = ${id} ORDER BY snapshot_number`,
  );
  const positions = await lake.query(
    `SELECT snapshot_number, song_id, song_name, position FROM playlist_positions WHERE playlist_id = ${id} ORDER BY snapshot_number, position`,
  );
  const daily = await lake.query(
    `SELECT snapshot_date, snapshots, songs, followers, entries, exits, turnover FROM playlist_daily WHERE playlist_id = ${id} ORDER BY snapshot_date`,
  );
  const changes =
    await lake.query(`SELECT change, song_id, song_name, artist_name, position, previous_position
FROM playlist_changes WHERE playlist_id = ${id} AND snapshot_number = ${latestOf(playlist)}
ORDER BY change, COALESCE(position, previous_position)`);
  return { info, current, history: historySeries(snapshots, positions), daily, changes };
}

export interface HistorySeries {
  /** Snapshot times, `YYYY-MM-DDTHH`. */
  times: string[];
  /** Per song (in order of first appearance), its 1-based rank at each time or null. */
  series: { id: string; label: string; ranks: (number | null)[] }[];
}

/** Positions per snapshot as one rank series per key, aligned on the snapshot times. */
function historySeries(
  snapshots: Row[],
  positions: Row[],
  key = (r: Row) => String(r.song_id),
  label = (r: Row) => String(r.song_name),
): HistorySeries {
  const times = snapshots.map((s) => `${s.snapshot_date}T${s.snapshot_hour}`);
  const index = (r: Row) =>
    r.snapshot_number !== undefined
      ? Number(r.snapshot_number) - 1
      : times.indexOf(`${r.snapshot_date}T${r.snapshot_hour}`);
  const series = new Map<string, HistorySeries["series"][number]>();
  for (const row of positions) {
    const k = key(row);
    const s = series.get(k) ?? { id: k, label: label(row), ranks: times.map(() => null) };
    s.ranks[index(row)] = Number(row.position) + 1;
    series.set(k, s);
  }
  return { times, series: [...series.values()] };
}

/** A song: its tenure on each playlist and its rank history on all of them. */
export async function songDetail(lake: Lake, song: string) {
  const id = sqlString(song);
  const runs = await lake.query(`SELECT r.*, s.playlist_name
FROM song_playlist_runs AS r
JOIN playlist_snapshots AS s ON s.playlist_id = r.playlist_id
  AND s.snapshot_number = (SELECT MAX(snapshot_number) FROM playlist_snapshots AS m WHERE m.playlist_id = r.playlist_id)
WHERE r.song_id = ${id}
ORDER BY r.peak_position, s.playlist_name`);
  if (runs.length === 0) return undefined;
  const snapshots = await lake.query(`SELECT DISTINCT s.snapshot_date, s.snapshot_hour
FROM playlist_snapshots AS s
WHERE s.playlist_id IN (SELECT playlist_id FROM song_playlist_runs WHERE song_id = ${id})
ORDER BY 1, 2`);
  const names = new Map(runs.map((r) => [String(r.playlist_id), String(r.playlist_name)]));
  const positions = await lake.query(
    `SELECT playlist_id, snapshot_date, snapshot_hour, position FROM playlist_positions WHERE song_id = ${id} ORDER BY snapshot_date, snapshot_hour, playlist_id`,
  );
  const history = historySeries(
    snapshots,
    positions,
    (r) => String(r.playlist_id),
    (r) => names.get(String(r.playlist_id)) ?? String(r.playlist_id),
  );
  return { song: runs[0]!, runs, history };
}

/** The tables and views a query can read, with their columns. */
export async function schema(lake: Lake) {
  // The lake tables are (temporary) views over their Parquet folders too; the catalog's own
  // bookkeeping tables are not for querying.
  const rows = await lake.query(`SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = 'main' AND table_catalog = 'temp'
ORDER BY table_name, ordinal_position`);
  const relations = new Map<string, { name: string; kind: string; columns: string[] }>();
  for (const r of rows) {
    const name = String(r.table_name);
    const kind = (LAKE_TABLES as readonly string[]).includes(name) ? "table" : "view";
    const relation = relations.get(name) ?? { name, kind, columns: [] };
    relation.columns.push(`${r.column_name} ${String(r.data_type).toLowerCase()}`);
    relations.set(name, relation);
  }
  return [...relations.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}
