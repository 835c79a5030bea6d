// Specification of what people see in Snowflake when the lake is rewritten: the views of
// infra/snowflake-sql.ts run here over load tables filled the way Snowpipe fills them (every
// file it is told about, with its path, row number and load time). No Snowflake is reachable
// offline, so DuckDB runs the same SQL; the one function it spells differently,
// REGEXP_SUBSTR(subject, pattern, 1, 1, 'e', group), is defined as a macro with Snowflake's
// meaning (the group, or NULL when nothing matches).

import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LakeTable } from "../../functions/commons/keys";
import { CLASSIC_NAMED_QUERIES } from "../../infra/named-queries";
import {
  loadTableColumns,
  loadTableName,
  PUBLICATIONS_COLUMNS,
  PUBLICATIONS_TABLE,
  PUBLISHED_HOURS_VIEW,
  publishedHoursStatement,
  tableViewStatement,
  viewName,
  type SnowflakeColumn,
} from "../../infra/snowflake-sql";

let db: DuckDBInstance;
let connection: DuckDBConnection;

const run = async (sql: string) => {
  await connection.run(sql);
};
const rows = async (sql: string) =>
  (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

// Snowflake's types as DuckDB spells them (same values for what these tests hold).
function duckType(column: SnowflakeColumn): string {
  const number = /^NUMBER\((\d+),0\)$/.exec(column.type);
  if (number) return `DECIMAL(${number[1]},0)`;
  const types: Record<string, string> = {
    VARCHAR: "VARCHAR",
    BOOLEAN: "BOOLEAN",
    ARRAY: "VARCHAR[]",
    "TIMESTAMP_NTZ(3)": "TIMESTAMP",
    TIMESTAMP_NTZ: "TIMESTAMP",
    TIMESTAMP_LTZ: "TIMESTAMPTZ",
  };
  const type = types[column.type];
  if (!type) throw new Error(`no DuckDB type for ${column.type}`);
  return `${type}${column.nullable ? "" : " NOT NULL"}`;
}

const createTable = (name: string, columns: readonly SnowflakeColumn[]) =>
  run(`CREATE TABLE ${name} (${columns.map((c) => `${c.name} ${duckType(c)}`).join(", ")})`);

const TABLES: readonly LakeTable[] = ["songs_data", "artists_data"];

beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  connection = await db.connect();
  await run(
    "CREATE MACRO REGEXP_SUBSTR(subject, pattern, start_at, occurrence, flags, grp) AS NULLIF(regexp_extract(subject, pattern, grp), '')",
  );
});
afterAll(() => {
  connection?.closeSync();
  db?.closeSync();
});

beforeEach(async () => {
  for (const name of [...TABLES.map(viewName), PUBLISHED_HOURS_VIEW]) {
    await run(`DROP VIEW IF EXISTS ${name}`);
  }
  for (const name of [...TABLES.map(loadTableName), PUBLICATIONS_TABLE]) {
    await run(`DROP TABLE IF EXISTS ${name}`);
  }
  await createTable(PUBLICATIONS_TABLE, PUBLICATIONS_COLUMNS);
  await run(
    `CREATE VIEW ${PUBLISHED_HOURS_VIEW} AS ${publishedHoursStatement(PUBLICATIONS_TABLE)}`,
  );
  for (const table of TABLES) {
    await createTable(loadTableName(table), loadTableColumns(table));
    await run(
      `CREATE VIEW ${viewName(table)} AS ${tableViewStatement(table, loadTableName(table), PUBLISHED_HOURS_VIEW)}`,
    );
  }
});

const sqlValue = (value: unknown): string =>
  value === null
    ? "NULL"
    : Array.isArray(value)
      ? `[${value.map(sqlValue).join(", ")}]`
      : typeof value === "string"
        ? `'${value.replaceAll("'", "''")}'`
        : String(value);

let loadClock = 0;
/** What Snowpipe does with one Parquet part: append its rows with the file's path and row numbers. */
async function snowpipeLoads(
  table: LakeTable,
  file: string,
  fileRows: readonly Record<string, unknown>[],
) {
  const columns = loadTableColumns(table);
  const loadedAt = `TIMESTAMPTZ '2026-11-22 06:00:00+00' + INTERVAL ${++loadClock} SECOND`;
  for (const [index, row] of fileRows.entries()) {
    const values = columns.map((column) => {
      if (column.name === "SOURCE_FILE") return sqlValue(file);
      if (column.name === "FILE_ROW_NUMBER") return String(index + 1);
      if (column.name === "LOADED_AT") return loadedAt;
      return sqlValue(row[column.name] ?? defaultValue(column));
    });
    await run(`INSERT INTO ${loadTableName(table)} VALUES (${values.join(", ")})`);
  }
}

function defaultValue(column: SnowflakeColumn): unknown {
  if (column.nullable) return null;
  if (column.type === "VARCHAR") return "x";
  if (column.type === "BOOLEAN") return false;
  if (column.type === "ARRAY") return [];
  if (column.type.startsWith("NUMBER")) return 1;
  if (column.type.startsWith("TIMESTAMP")) return "2026-11-22 05:00:00";
  throw new Error(`no default for ${column.name}`);
}

/** What the publish step writes (or rewrites) and the publications pipe loads. */
async function publish(date: string, hour: string, version: string, modifiedSecond: number) {
  await run(
    `INSERT INTO ${PUBLICATIONS_TABLE} VALUES (${sqlValue(version)}, ` +
      `${sqlValue(`_published/snapshot_date=${date}/snapshot_hour=${hour}.json`)}, ` +
      `TIMESTAMP '2026-11-22 06:00:00' + INTERVAL ${modifiedSecond} SECOND, ` +
      `TIMESTAMPTZ '2026-11-22 06:00:00+00' + INTERVAL ${++loadClock} SECOND)`,
  );
}

const part = (table: LakeTable, date: string, hour: string, version: string, n = 0) =>
  `${table}/snapshot_date=${date}/snapshot_hour=${hour}/version=${version}/part-${String(n).padStart(5, "0")}.parquet`;

const artist = (id: string, popularity: number) => ({
  ARTIST_ID: id,
  ARTIST_NAME: `Artist ${id}`,
  ARTIST_URL: `https://open.spotify.com/artist/${id}`,
  POPULARITY: popularity,
  GENRES: ["pop"],
});

const VERSION_A = "0123456789abcdef";
const VERSION_B = "fedcba9876543210";

describe("The Snowflake views over a lake that is rerun and reprocessed", () => {
  it("show a published hour's rows once, with snapshot_date and snapshot_hour from the path", async () => {
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_A), [
      artist("a1", 90),
      artist("a2", 40),
    ]);
    await publish("2026-11-22", "05", VERSION_A, 1);

    expect(
      await rows(
        "SELECT artist_id, popularity, snapshot_date, snapshot_hour FROM artists_data ORDER BY artist_id",
      ),
    ).toEqual([
      { ARTIST_ID: "a1", POPULARITY: "90", SNAPSHOT_DATE: "2026-11-22", SNAPSHOT_HOUR: "05" },
      { ARTIST_ID: "a2", POPULARITY: "40", SNAPSHOT_DATE: "2026-11-22", SNAPSHOT_HOUR: "05" },
    ]);
  });

  it("show nothing of a version that is written but not published", async () => {
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_A), [
      artist("a1", 90),
    ]);
    expect(await rows("SELECT * FROM artists_data")).toEqual([]);
  });

  it("do not duplicate a rerun's rows, even when the same files are loaded again", async () => {
    const file = part("artists_data", "2026-11-22", "05", VERSION_A);
    await snowpipeLoads("artists_data", file, [artist("a1", 90), artist("a2", 40)]);
    await publish("2026-11-22", "05", VERSION_A, 1);
    // The rerun rewrites identical objects and republishes the same version.
    await snowpipeLoads("artists_data", file, [artist("a1", 90), artist("a2", 40)]);
    await publish("2026-11-22", "05", VERSION_A, 2);

    expect(await rows("SELECT COUNT(*) AS n FROM artists_data")).toEqual([{ n: "2" }]);
    expect(await rows(`SELECT COUNT(*) AS n FROM ${loadTableName("artists_data")}`)).toEqual([
      { n: "4" },
    ]);
  });

  it("replace an hour's rows when a reprocess publishes a new version, and not before", async () => {
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_A), [
      artist("a1", 90),
      artist("a2", 40),
    ]);
    await publish("2026-11-22", "05", VERSION_A, 1);
    // The reprocess writes version B (two parts) before publishing it.
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_B, 0), [
      artist("a1", 91),
    ]);
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_B, 1), [
      artist("a3", 85),
    ]);
    expect(await rows("SELECT artist_id FROM artists_data ORDER BY artist_id")).toEqual([
      { ARTIST_ID: "a1" },
      { ARTIST_ID: "a2" },
    ]);

    await publish("2026-11-22", "05", VERSION_B, 5);
    expect(await rows("SELECT artist_id, popularity FROM artists_data ORDER BY artist_id")).toEqual(
      [
        { ARTIST_ID: "a1", POPULARITY: "91" },
        { ARTIST_ID: "a3", POPULARITY: "85" },
      ],
    );
  });

  it("keep each hour on its own published version", async () => {
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_A), [
      artist("a1", 90),
    ]);
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "06", VERSION_B), [
      artist("a1", 92),
    ]);
    await publish("2026-11-22", "05", VERSION_A, 1);
    await publish("2026-11-22", "06", VERSION_B, 2);
    // A record of hour 05 naming hour 06's version does not make 06's rows appear in 05.
    expect(
      await rows("SELECT snapshot_hour, popularity FROM artists_data ORDER BY snapshot_hour"),
    ).toEqual([
      { SNAPSHOT_HOUR: "05", POPULARITY: "90" },
      { SNAPSHOT_HOUR: "06", POPULARITY: "92" },
    ]);
  });

  it("answer the two classic queries as written", async () => {
    await snowpipeLoads("artists_data", part("artists_data", "2026-11-22", "05", VERSION_A), [
      artist("a1", 90),
      artist("a2", 40),
    ]);
    const song = (id: string, album: string) => ({ SONG_ID: id, ALBUM_NAME: album });
    const songsFile = part("songs_data", "2026-11-22", "05", VERSION_A);
    await snowpipeLoads("songs_data", songsFile, [
      song("s1", "Album One"),
      song("s2", "Album One"),
      song("s3", "Album Two"),
    ]);
    await snowpipeLoads("songs_data", songsFile, [
      song("s1", "Album One"),
      song("s2", "Album One"),
      song("s3", "Album Two"),
    ]);
    await publish("2026-11-22", "05", VERSION_A, 1);

    const [artistsQuery, songsQuery] = CLASSIC_NAMED_QUERIES.map((q) => q.query);
    expect((await rows(artistsQuery!)).map((r) => r.ARTIST_ID)).toEqual(["a1"]);
    const perAlbum = await rows(songsQuery!);
    expect(
      perAlbum
        .map((r) => [r.ALBUM_NAME, Object.values(r)[1]])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ["Album One", "2"],
      ["Album Two", "1"],
    ]);
  });
});
