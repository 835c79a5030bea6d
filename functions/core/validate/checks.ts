// The data-quality checks of one snapshot, as SQL that Athena (Trino) and DuckDB both run.
// Every query filters on the run's own partition so Athena scans only this hour's files,
// and several checks share one query because Athena bills at least 10 MB per query.

import type { LakeTable } from "../../commons/keys";
import type { SnapshotHour } from "../../commons/snapshot";

/** What Transform reported writing; checks compare the catalog's view against it. */
export type TransformedRows = Record<LakeTable, number>;

export interface Assertion {
  check: string;
  /** The query's output column holding the number to test. */
  column: string;
  expected: string;
  passes: (actual: number) => boolean;
}

export interface CheckQuery {
  name: string;
  sql: string;
  assertions: Assertion[];
}

/**
 * Each table's keys, checked not null (`notNull`, when set, is the condition instead: a key
 * that holds only on some rows), and its unique key.
 */
const TABLE_KEYS: Record<LakeTable, { keys: string[]; notNull?: string; unique: string }> = {
  songs_data: {
    keys: ["playlist_id", "position", "song_id", "album_id", "artist_id"],
    unique: "playlist_id || ':' || CAST(position AS VARCHAR)",
  },
  albums_data: { keys: ["album_id"], unique: "album_id" },
  artists_data: { keys: ["artist_id"], unique: "artist_id" },
  // A playlist Spotify refused has no snapshot_id: only available rows must have one.
  playlists_data: {
    keys: ["playlist_id", "snapshot_id"],
    notNull:
      "playlist_id IS NOT NULL AND available IS NOT NULL AND (snapshot_id IS NOT NULL OR NOT available)",
    unique: "playlist_id",
  },
};

const equals = (n: number) => ({ expected: `= ${n}`, passes: (actual: number) => actual === n });

/** The checks of one snapshot, with its partition inlined. */
export function buildCheckQueries(snapshot: SnapshotHour, rows: TransformedRows): CheckQuery[] {
  // Values come from a validated SnapshotHour (digits and dashes only), so inlining is safe.
  return checkQueries(
    (alias) =>
      `${alias}snapshot_date = '${snapshot.date}' AND ${alias}snapshot_hour = '${snapshot.hour}'`,
    rows,
  );
}

/**
 * The same SQL with `?` for each partition value, saved as Athena named queries: the console
 * asks for the values (date, then hour, for each table the query reads) when it is run.
 */
export function parameterizedCheckQueries(): { name: string; sql: string }[] {
  const noRows = { songs_data: 0, albums_data: 0, artists_data: 0, playlists_data: 0 };
  return checkQueries(
    (alias) => `${alias}snapshot_date = ? AND ${alias}snapshot_hour = ?`,
    noRows,
  ).map(({ name, sql }) => ({ name, sql }));
}

function checkQueries(
  partitionFilter: (alias: string) => string,
  rows: TransformedRows,
): CheckQuery[] {
  const inPartition = (alias = "") => partitionFilter(alias);

  const perTable = (Object.keys(TABLE_KEYS) as LakeTable[]).map((table): CheckQuery => {
    const { keys, notNull, unique } = TABLE_KEYS[table];
    const anyNull = notNull ? `NOT (${notNull})` : keys.map((k) => `${k} IS NULL`).join(" OR ");
    // Every playlist of a run has a row; the other tables are empty when no readable
    // playlist has entries (all refused, say), which the transform then reports.
    const mayBeEmpty = table !== "playlists_data" && rows[table] === 0;
    return {
      name: `${table}_profile`,
      sql:
        `SELECT COUNT(*) AS row_count, ` +
        `SUM(CASE WHEN ${anyNull} THEN 1 ELSE 0 END) AS null_keys, ` +
        `COUNT(*) - COUNT(DISTINCT ${unique}) AS duplicate_keys ` +
        `FROM ${table} WHERE ${inPartition()}`,
      assertions: [
        {
          check: `${table}_not_empty`,
          column: "row_count",
          ...(mayBeEmpty
            ? { expected: "= 0 (no readable entries)", passes: (n: number) => n === 0 }
            : { expected: "> 0", passes: (n: number) => n > 0 }),
        },
        {
          check: `${table}_row_count_matches_transform`,
          column: "row_count",
          ...equals(rows[table]),
        },
        { check: `${table}_no_null_keys`, column: "null_keys", ...equals(0) },
        {
          check: table === "songs_data" ? "songs_data_no_duplicate_positions" : `${table}_unique`,
          column: "duplicate_keys",
          ...equals(0),
        },
      ],
    };
  });

  return [
    ...perTable,
    {
      name: "songs_albums_present",
      sql:
        `SELECT COUNT(*) AS missing FROM ` +
        `(SELECT DISTINCT album_id FROM songs_data WHERE ${inPartition()}) s ` +
        `LEFT JOIN (SELECT album_id FROM albums_data WHERE ${inPartition()}) a ` +
        `ON a.album_id = s.album_id WHERE a.album_id IS NULL`,
      assertions: [{ check: "every_song_album_present", column: "missing", ...equals(0) }],
    },
    {
      name: "songs_artists_present",
      sql:
        `SELECT COUNT(*) AS missing FROM ` +
        `(SELECT DISTINCT t.artist_id FROM songs_data s CROSS JOIN UNNEST(s.artist_ids) AS t(artist_id) ` +
        `WHERE ${inPartition("s.")}) x ` +
        `LEFT JOIN (SELECT artist_id FROM artists_data WHERE ${inPartition()}) a ` +
        `ON a.artist_id = x.artist_id WHERE a.artist_id IS NULL`,
      assertions: [{ check: "every_song_artist_present", column: "missing", ...equals(0) }],
    },
  ];
}
