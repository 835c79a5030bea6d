// Chart views over the hourly snapshots: where each song stood on each playlist, what entered
// and left, each song's tenure and peak, and each playlist's day. One SQL text per view that
// DuckDB (locally) and Athena (Trino) both run: window functions, CASE, COALESCE, NULLIF and
// plain aggregates only (no QUALIFY, no WINDOW clause, no DISTINCT inside a window, no SUM of
// integers, whose type differs between the engines). Each view declares its output columns
// in Glue's type names; Athena needs them to store a view in the Glue catalog, and a test
// checks them against what DuckDB computes.
//
// A playlist's snapshots are the hours in which it was read (a playlists_data row with
// available = true): an hour it was not in the run, or Spotify refused it, says nothing about
// its songs, so "the previous snapshot" skips that hour rather than treating it as an empty
// list. A read playlist with no songs is an empty list: its songs left. Positions are the
// tables' (0-based); a song listed twice in one snapshot counts once, at its best position.

export interface HistoryViewColumn {
  readonly name: string;
  /** Glue (Hive) type name: string, int, bigint, double. */
  readonly type: "string" | "int" | "bigint" | "double";
  readonly comment: string;
}

export interface HistoryView {
  readonly name: string;
  readonly description: string;
  /** The SELECT defining the view (no trailing semicolon). */
  readonly sql: string;
  readonly columns: readonly HistoryViewColumn[];
}

const col = (
  name: string,
  type: HistoryViewColumn["type"],
  comment: string,
): HistoryViewColumn => ({ name, type, comment });

const snapshotColumns = [
  col("playlist_id", "string", "Spotify playlist id"),
  col("snapshot_date", "string", "YYYY-MM-DD of the snapshot"),
  col("snapshot_hour", "string", "HH of the snapshot"),
  col("snapshot_number", "bigint", "1 for the playlist's first snapshot, 2 for the next, ..."),
];

const songColumns = [
  col("song_id", "string", "Spotify track id"),
  col("song_name", "string", "track name"),
  col("artist_name", "string", "first artist's name"),
];

/** Joins two relations on a playlist's snapshot hour. */
const sameSnapshot = (a: string, b: string) =>
  `${a}.playlist_id = ${b}.playlist_id AND ${a}.snapshot_date = ${b}.snapshot_date AND ${a}.snapshot_hour = ${b}.snapshot_hour`;

const playlistSnapshots: HistoryView = {
  name: "playlist_snapshots",
  description: "Every hour each playlist was read, numbered, with its size and followers.",
  sql: `SELECT p.playlist_id, p.snapshot_date, p.snapshot_hour,
  ROW_NUMBER() OVER (PARTITION BY p.playlist_id ORDER BY p.snapshot_date, p.snapshot_hour) AS snapshot_number,
  p.playlist_name, p.followers, COALESCE(s.songs, 0) AS songs
FROM (
  SELECT playlist_id, snapshot_date, snapshot_hour, MAX(playlist_name) AS playlist_name, MAX(followers) AS followers
  FROM playlists_data
  WHERE COALESCE(available, true)
  GROUP BY playlist_id, snapshot_date, snapshot_hour
) AS p
LEFT JOIN (
  SELECT playlist_id, snapshot_date, snapshot_hour, COUNT(DISTINCT song_id) AS songs
  FROM songs_data
  GROUP BY playlist_id, snapshot_date, snapshot_hour
) AS s ON ${sameSnapshot("s", "p")}`,
  columns: [
    ...snapshotColumns,
    col("playlist_name", "string", "playlist name at that snapshot"),
    col("followers", "bigint", "followers at that snapshot (null in development mode)"),
    col("songs", "bigint", "distinct songs on the playlist"),
  ],
};

const playlistPositions: HistoryView = {
  name: "playlist_positions",
  description:
    "One row per playlist, song and snapshot: position, the previous snapshot's position, movement and status (new, re-entry, up, down, same).",
  sql: `WITH entries AS (
  SELECT playlist_id, snapshot_date, snapshot_hour, song_id, song_name, artist_name, position,
    ROW_NUMBER() OVER (PARTITION BY playlist_id, snapshot_date, snapshot_hour, song_id ORDER BY position) AS listing
  FROM songs_data
), placed AS (
  SELECT e.playlist_id, e.snapshot_date, e.snapshot_hour, s.snapshot_number, e.song_id, e.song_name, e.artist_name, e.position,
    LAG(s.snapshot_number) OVER (PARTITION BY e.playlist_id, e.song_id ORDER BY s.snapshot_number) AS last_number,
    LAG(e.position) OVER (PARTITION BY e.playlist_id, e.song_id ORDER BY s.snapshot_number) AS last_position
  FROM entries AS e
  JOIN playlist_snapshots AS s ON ${sameSnapshot("s", "e")}
  WHERE e.listing = 1
)
SELECT playlist_id, snapshot_date, snapshot_hour, snapshot_number, song_id, song_name, artist_name, position,
  CASE WHEN last_number = snapshot_number - 1 THEN last_position END AS previous_position,
  CASE WHEN last_number = snapshot_number - 1 THEN last_position - position END AS movement,
  CAST(CASE
    WHEN last_number IS NULL THEN 'new'
    WHEN last_number < snapshot_number - 1 THEN 're-entry'
    WHEN last_position > position THEN 'up'
    WHEN last_position < position THEN 'down'
    ELSE 'same'
  END AS varchar) AS status
FROM placed`,
  columns: [
    ...snapshotColumns,
    ...songColumns,
    col("position", "int", "0-based position (the best one if listed twice)"),
    col("previous_position", "int", "position at the playlist's previous snapshot, if on it"),
    col("movement", "int", "previous_position - position: positive moved up"),
    col("status", "string", "new, re-entry, up, down or same"),
  ],
};

const playlistChanges: HistoryView = {
  name: "playlist_changes",
  description:
    "Songs that entered or left each playlist between two consecutive snapshots, at the later one, with their positions.",
  sql: `WITH presence AS (
  SELECT playlist_id, snapshot_date, snapshot_hour, snapshot_number, song_id, song_name, artist_name, position, status,
    LEAD(snapshot_number) OVER (PARTITION BY playlist_id, song_id ORDER BY snapshot_number) AS next_number
  FROM playlist_positions
)
SELECT playlist_id, snapshot_date, snapshot_hour, snapshot_number, song_id, song_name, artist_name,
  CAST('entered' AS varchar) AS change, position, CAST(NULL AS integer) AS previous_position
FROM presence
WHERE status IN ('new', 're-entry') AND snapshot_number > 1
UNION ALL
SELECT s.playlist_id, s.snapshot_date, s.snapshot_hour, s.snapshot_number, p.song_id, p.song_name, p.artist_name,
  CAST('left' AS varchar) AS change, CAST(NULL AS integer) AS position, p.position AS previous_position
FROM presence AS p
JOIN playlist_snapshots AS s ON s.playlist_id = p.playlist_id AND s.snapshot_number = p.snapshot_number + 1
WHERE p.next_number IS NULL OR p.next_number > p.snapshot_number + 1`,
  columns: [
    ...snapshotColumns,
    ...songColumns,
    col("change", "string", "entered or left"),
    col("position", "int", "position on entering (null when it left)"),
    col("previous_position", "int", "position before leaving (null when it entered)"),
  ],
};

/** The value of `column` on the row where `rank` is 1. */
const at = (rank: string, column: string, as: string) =>
  `MAX(CASE WHEN ${rank} = 1 THEN ${column} END) AS ${as}`;

const songPlaylistRuns: HistoryView = {
  name: "song_playlist_runs",
  description:
    "Per playlist and song: first and last seen, snapshots and days present, times entered, and the peak position with when it was first reached.",
  sql: `WITH ranked AS (
  SELECT playlist_id, song_id, song_name, artist_name, position, snapshot_date, snapshot_hour, status,
    ROW_NUMBER() OVER (PARTITION BY playlist_id, song_id ORDER BY snapshot_date, snapshot_hour) AS first_rank,
    ROW_NUMBER() OVER (PARTITION BY playlist_id, song_id ORDER BY snapshot_date DESC, snapshot_hour DESC) AS last_rank,
    ROW_NUMBER() OVER (PARTITION BY playlist_id, song_id ORDER BY position, snapshot_date, snapshot_hour) AS peak_rank
  FROM playlist_positions
)
SELECT playlist_id, song_id,
  ${at("last_rank", "song_name", "song_name")},
  ${at("last_rank", "artist_name", "artist_name")},
  ${at("first_rank", "snapshot_date", "first_seen_date")},
  ${at("first_rank", "snapshot_hour", "first_seen_hour")},
  ${at("last_rank", "snapshot_date", "last_seen_date")},
  ${at("last_rank", "snapshot_hour", "last_seen_hour")},
  COUNT(*) AS snapshots,
  COUNT(DISTINCT snapshot_date) AS days,
  COUNT(CASE WHEN status IN ('new', 're-entry') THEN 1 END) AS entries,
  MIN(position) AS peak_position,
  ${at("peak_rank", "snapshot_date", "peak_date")},
  ${at("peak_rank", "snapshot_hour", "peak_hour")}
FROM ranked
GROUP BY playlist_id, song_id`,
  columns: [
    col("playlist_id", "string", "Spotify playlist id"),
    ...songColumns,
    col("first_seen_date", "string", "date of the first snapshot it was on"),
    col("first_seen_hour", "string", "hour of the first snapshot it was on"),
    col("last_seen_date", "string", "date of the last snapshot it was on"),
    col("last_seen_hour", "string", "hour of the last snapshot it was on"),
    col("snapshots", "bigint", "snapshots it was on"),
    col("days", "bigint", "days on the playlist: dates with at least one snapshot it was on"),
    col("entries", "bigint", "times it entered: 1 + re-entries"),
    col("peak_position", "int", "best position"),
    col("peak_date", "string", "date it first reached its peak"),
    col("peak_hour", "string", "hour it first reached its peak"),
  ],
};

const playlistDaily: HistoryView = {
  name: "playlist_daily",
  description:
    "Per playlist and day: snapshots read, songs and followers at the day's last snapshot, entries, exits and turnover.",
  sql: `WITH days AS (
  SELECT playlist_id, snapshot_date, COUNT(*) AS snapshots, MAX(snapshot_number) AS last_number
  FROM playlist_snapshots
  GROUP BY playlist_id, snapshot_date
), changes AS (
  SELECT playlist_id, snapshot_date,
    COUNT(CASE WHEN change = 'entered' THEN 1 END) AS entries,
    COUNT(CASE WHEN change = 'left' THEN 1 END) AS exits
  FROM playlist_changes
  GROUP BY playlist_id, snapshot_date
)
SELECT d.playlist_id, d.snapshot_date, d.snapshots, s.playlist_name, s.songs, s.followers,
  COALESCE(c.entries, 0) AS entries, COALESCE(c.exits, 0) AS exits,
  CAST(COALESCE(c.entries, 0) AS double) / NULLIF(s.songs, 0) AS turnover
FROM days AS d
JOIN playlist_snapshots AS s ON s.playlist_id = d.playlist_id AND s.snapshot_number = d.last_number
LEFT JOIN changes AS c ON c.playlist_id = d.playlist_id AND c.snapshot_date = d.snapshot_date`,
  columns: [
    col("playlist_id", "string", "Spotify playlist id"),
    col("snapshot_date", "string", "YYYY-MM-DD"),
    col("snapshots", "bigint", "snapshots of the playlist read that day"),
    col("playlist_name", "string", "name at the day's last snapshot"),
    col("songs", "bigint", "songs at the day's last snapshot"),
    col("followers", "bigint", "followers at the day's last snapshot (null in development mode)"),
    col("entries", "bigint", "songs that entered during the day"),
    col("exits", "bigint", "songs that left during the day"),
    col("turnover", "double", "entries / songs: the share of the list that is new that day"),
  ],
};

/** The views, each after those it reads (the order to create them in). */
export const HISTORY_VIEWS: readonly HistoryView[] = [
  playlistSnapshots,
  playlistPositions,
  playlistChanges,
  songPlaylistRuns,
  playlistDaily,
];

/** The lake tables the views read: without both, none can be created. */
export const HISTORY_VIEW_TABLES = ["songs_data", "playlists_data"] as const;

/** The DDL that (re)creates a view, in the dialect both engines accept. */
export const createViewStatement = (view: HistoryView): string =>
  `CREATE OR REPLACE VIEW ${view.name} AS\n${view.sql}`;
