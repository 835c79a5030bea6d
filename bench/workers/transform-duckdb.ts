// The DuckDB baseline of the transform benchmark: the same job as the project's transform
// (the snapshot's raw JSON -> songs_data, albums_data, artists_data, playlists_data as SNAPPY
// Parquet), done in-process by DuckDB's JSON reader and Parquet writer, on the same files.
// The schema is given explicitly, as anyone writing this job in DuckDB would: it reads only
// the fields the tables need. The rules follow the transform's: null entries, episodes and
// local files are skipped, tracks without an id set aside; albums keep their first occurrence
// by (playlist_id, position).

import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { workerMain } from "../lib/child";

export interface DuckDbTransformArgs {
  /** The snapshot's raw folder: …/spotify/snapshot_date=…/snapshot_hour=… */
  snapshotDir: string;
  outDir: string;
  threads?: number;
}

const URLS = "STRUCT(spotify VARCHAR)";
const ARTIST_REF = `STRUCT(id VARCHAR, name VARCHAR)`;
const IMAGE = "STRUCT(url VARCHAR, width INTEGER, height INTEGER)";
const ALBUM = `STRUCT(id VARCHAR, name VARCHAR, album_type VARCHAR, release_date VARCHAR,
  release_date_precision VARCHAR, total_tracks INTEGER, external_urls ${URLS},
  images ${IMAGE}[], artists ${ARTIST_REF}[])`;
const ITEM = `STRUCT(type VARCHAR, id VARCHAR, name VARCHAR, duration_ms INTEGER,
  explicit BOOLEAN, popularity INTEGER, track_number INTEGER, disc_number INTEGER,
  is_local BOOLEAN, external_ids STRUCT(isrc VARCHAR), external_urls ${URLS},
  album ${ALBUM}, artists ${ARTIST_REF}[])`;
const ENTRY = `STRUCT(added_at VARCHAR, added_by STRUCT(id VARCHAR), is_local BOOLEAN,
  item ${ITEM})`;

const q = (value: string) => `'${value.replaceAll("'", "''")}'`;
const columns = (spec: Record<string, string>) =>
  `{${Object.entries(spec)
    .map(([name, type]) => `${q(name)}: ${q(type.replace(/\s+/g, " "))}`)
    .join(", ")}}`;

/** The SQL statements of the job, in order; exported for the consistency check's reuse. */
export function duckDbTransformSql(snapshotDir: string, outDir: string): string[] {
  const glob = (name: string) => q(path.join(snapshotDir, name));
  // Pages and artist responses are stored by content beside the hour folders; a benchmark
  // dataset holds one hour, so every stored one is this hour's.
  const stored = (name: string) => q(path.join(snapshotDir, "..", "..", name));
  const out = (table: string) => q(path.join(outDir, table, "part-00000.parquet"));
  const copy = (table: string, select: string) =>
    `COPY (${select}) TO ${out(table)} (FORMAT parquet, COMPRESSION snappy)`;
  return [
    `CREATE TEMP TABLE entries AS
     WITH pages AS (
       SELECT regexp_extract(filename, 'playlist_id=([0-9A-Za-z]{22})', 1) AS playlist_id,
              "offset", items
       FROM read_json(${stored("playlist_pages/playlist_id=*/sha256=*.json")}, filename = true,
                      format = 'auto', columns = ${columns({ offset: "INTEGER", items: `${ENTRY}[]` })})
       UNION ALL
       -- The first page, embedded in the playlist object under items.
       SELECT regexp_extract(filename, 'playlist_id=([0-9A-Za-z]{22})', 1) AS playlist_id,
              items."offset" AS "offset", items.items AS items
       FROM read_json(${glob("playlist_id=*/playlist.json")}, filename = true, format = 'auto',
                      columns = ${columns({ items: `STRUCT("offset" INTEGER, items ${ENTRY}[])` })})
       WHERE items.items IS NOT NULL
     ), flat AS (
       SELECT playlist_id, "offset" + generate_subscripts(items, 1) - 1 AS position,
              unnest(items) AS e
       FROM pages
     )
     SELECT playlist_id, position, e.item AS t, e.added_at AS added_at, e.added_by.id AS added_by
     FROM flat
     WHERE e.item IS NOT NULL AND coalesce(e.item.type, 'track') = 'track'
       AND NOT coalesce(e.is_local, false) AND NOT coalesce(e.item.is_local, false)
       -- A track Spotify could not resolve (no id) is set aside, as the transform does.
       AND e.item.id IS NOT NULL`,
    copy(
      "songs_data",
      `SELECT playlist_id, position::INTEGER AS position, t.id AS song_id, t.name AS song_name,
              t.duration_ms, t.explicit, t.popularity, t.track_number, t.disc_number,
              t.external_ids.isrc AS isrc, t.external_urls.spotify AS song_url,
              t.album.id AS album_id, t.album.name AS album_name,
              t.artists[1].id AS artist_id, t.artists[1].name AS artist_name,
              list_transform(t.artists, a -> a.id) AS artist_ids,
              CAST(added_at AS TIMESTAMPTZ)::TIMESTAMP AS added_at,
              nullif(added_by, '') AS added_by
       FROM entries ORDER BY playlist_id, position`,
    ),
    copy(
      "albums_data",
      `SELECT a.id AS album_id, a.name AS album_name, a.album_type, a.release_date,
              a.release_date_precision, a.total_tracks, a.external_urls.spotify AS album_url,
              list_sort(list_transform(a.images,
                  (i, n) -> {area: coalesce(i.width, 0) * coalesce(i.height, 0), n: -n, url: i.url}),
                'DESC')[1].url AS image_url,
              list_transform(coalesce(a.artists, []), x -> x.id) AS artist_ids
       FROM (SELECT t.album AS a FROM entries
             QUALIFY row_number() OVER (PARTITION BY t.album.id ORDER BY playlist_id, position) = 1)
       ORDER BY album_id`,
    ),
    copy(
      "artists_data",
      `SELECT id AS artist_id, name AS artist_name, external_urls.spotify AS artist_url,
              popularity, followers.total AS followers, coalesce(genres, []) AS genres
       FROM read_json(${stored("artist_details/sha256=*.json")}, format = 'auto',
                      columns = ${columns({
                        id: "VARCHAR",
                        name: "VARCHAR",
                        external_urls: URLS,
                        popularity: "INTEGER",
                        followers: "STRUCT(total BIGINT)",
                        genres: "VARCHAR[]",
                      })})
       QUALIFY row_number() OVER (PARTITION BY id) = 1
       ORDER BY artist_id`,
    ),
    copy(
      "playlists_data",
      `SELECT id AS playlist_id, name AS playlist_name, description, owner.id AS owner_id,
              owner.display_name AS owner_name, snapshot_id, followers.total AS followers,
              items.total AS total_items, public, collaborative,
              external_urls.spotify AS playlist_url
       FROM read_json(${glob("playlist_id=*/playlist.json")}, format = 'auto',
                      columns = ${columns({
                        id: "VARCHAR",
                        name: "VARCHAR",
                        description: "VARCHAR",
                        owner: "STRUCT(id VARCHAR, display_name VARCHAR)",
                        snapshot_id: "VARCHAR",
                        followers: "STRUCT(total BIGINT)",
                        items: "STRUCT(total INTEGER)",
                        public: "BOOLEAN",
                        collaborative: "BOOLEAN",
                        external_urls: URLS,
                      })})
       ORDER BY playlist_id`,
    ),
  ];
}

export interface DuckDbTransformResult {
  ms: number;
  rows: Record<string, number>;
}

async function run(args: DuckDbTransformArgs): Promise<DuckDbTransformResult> {
  rmSync(args.outDir, { recursive: true, force: true });
  for (const table of ["songs_data", "albums_data", "artists_data", "playlists_data"]) {
    mkdirSync(path.join(args.outDir, table), { recursive: true });
  }
  const started = performance.now();
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    ...(args.threads ? { threads: String(args.threads) } : {}),
  });
  const db = await instance.connect();
  const rows: Record<string, number> = {};
  for (const statement of duckDbTransformSql(args.snapshotDir, args.outDir)) {
    const result = await db.runAndReadAll(statement);
    const table = /TO '[^']*\/(\w+)\/part-00000\.parquet'/.exec(statement)?.[1];
    if (table) rows[table] = Number(result.getRows()[0]?.[0] ?? 0);
  }
  db.closeSync();
  return { ms: performance.now() - started, rows };
}

if (require.main === module) workerMain(run);
