// What Snowflake holds of the lake, as data and SQL: the load tables' columns (derived from the
// lake's one column list, functions/core/transform/tables.ts), each pipe's COPY statement and
// the views people query. infra/constructs/snowflake-lake.ts turns these into resources.
//
// How reprocessing stays invisible (README, "Querying in Snowflake"): each pipe appends every
// file it is told about, with the file's path; the transform writes a snapshot's files under a
// content-addressed `version=<v>/` folder and publishes one version per hour in
// `_published/snapshot_date=D/snapshot_hour=H.json`, which a fifth pipe loads. A view per table
// keeps only the rows of the version published for their hour, once per file row, so a rerun
// (same version: same paths), a reprocess (a new version, published later) or a reload of a
// file never shows a row twice, and a version written but never published never shows at all.

import { LAKE_SIDE_FOLDERS, lakeKeys, type LakeTable } from "../functions/commons/keys";
import type { ColumnKind, ColumnSpec } from "../functions/core/transform/columns";
import { TABLE_COLUMNS } from "../functions/core/transform/tables";

/** Folder of the publication records (one per snapshot hour), written by the publish step. */
export const PUBLISHED_PREFIX = lakeKeys.publishedRoot;
/** Folders of the lake bucket that are not tables and must never be loaded. */
export const NOT_LOADED_PREFIXES = [
  LAKE_SIDE_FOLDERS.crawl,
  LAKE_SIDE_FOLDERS.quarantine,
  LAKE_SIDE_FOLDERS.reports,
].map((folder) => `${folder}/`);

/** Suffix of the files each pipe loads; the bucket notification filters on it too. */
export const TABLE_FILE_SUFFIX = ".parquet";
export const PUBLISHED_FILE_SUFFIX = ".json";

export interface SnowflakeColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

// Parquet physical/converted type -> Snowflake type. INT32 and INT64 keep their ranges
// (NUMBER(10,0) and NUMBER(19,0)); TIMESTAMP_MILLIS values are UTC instants, which a
// TIMESTAMP_NTZ(3) holds without a session time zone shifting them; a LIST of UTF8 is an ARRAY.
const SNOWFLAKE_TYPES: Readonly<Record<ColumnKind, string>> = {
  string: "VARCHAR",
  int32: "NUMBER(10,0)",
  int64: "NUMBER(19,0)",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP_NTZ(3)",
  stringList: "ARRAY",
};

// Names are upper case: the provider quotes every identifier, and only upper-case quoted names
// match the unquoted names people type (`SELECT * FROM artists_data` means ARTISTS_DATA).
const identifier = (name: string) => name.toUpperCase();

/** Columns of every load table after the data columns: where and when each row came from. */
export const LOAD_METADATA_COLUMNS: readonly SnowflakeColumn[] = [
  // The file's path under the stage, e.g. songs_data/snapshot_date=…/version=…/part-00000.parquet.
  { name: "SOURCE_FILE", type: "VARCHAR", nullable: false },
  { name: "FILE_ROW_NUMBER", type: "NUMBER(19,0)", nullable: false },
  { name: "LOADED_AT", type: "TIMESTAMP_LTZ", nullable: false },
];

/** The columns a row's file path carries (hive-style folders), as the views expose them. */
export const PARTITION_COLUMNS = ["SNAPSHOT_DATE", "SNAPSHOT_HOUR"] as const;

export const loadTableName = (table: LakeTable) => `${identifier(table)}_LOADED`;
export const viewName = (table: LakeTable) => identifier(table);
export const pipeName = (table: LakeTable) => `${identifier(table)}_PIPE`;
export const PUBLICATIONS_TABLE = "PUBLICATIONS_LOADED";
export const PUBLISHED_HOURS_VIEW = "PUBLISHED_HOURS";
export const PUBLICATIONS_PIPE = "PUBLICATIONS_PIPE";

export function dataColumns(table: LakeTable): SnowflakeColumn[] {
  return (TABLE_COLUMNS[table] as readonly ColumnSpec[]).map((column) => ({
    name: identifier(column.name),
    type: SNOWFLAKE_TYPES[column.kind],
    nullable: column.nullable,
  }));
}

/** The load table of a lake table: its Parquet columns, then where each row came from. */
export const loadTableColumns = (table: LakeTable): SnowflakeColumn[] => [
  ...dataColumns(table),
  ...LOAD_METADATA_COLUMNS,
];

/** The publication table: the record's `version`, then where and when the record came from. */
export const PUBLICATIONS_COLUMNS: readonly SnowflakeColumn[] = [
  { name: "VERSION", type: "VARCHAR", nullable: false },
  { name: "SOURCE_FILE", type: "VARCHAR", nullable: false },
  // S3's LastModified of the record: a republished hour's newest record wins.
  { name: "FILE_LAST_MODIFIED", type: "TIMESTAMP_NTZ", nullable: false },
  { name: "LOADED_AT", type: "TIMESTAMP_LTZ", nullable: false },
];

/**
 * The COPY of a table's pipe. MATCH_BY_COLUMN_NAME loads Parquet columns into the columns of the
 * same name (any case); a COPY that matches by name cannot also transform, so the partition
 * values stay in the path (SOURCE_FILE) and the views parse them. The trailing slash keeps
 * `songs_data/` from also matching a folder such as `songs_data_old/`.
 */
export function tableCopyStatement(table: LakeTable, target: string, stage: string): string {
  return (
    `COPY INTO ${target} FROM @${stage}/${table}/ ` +
    `MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE ` +
    `INCLUDE_METADATA = (SOURCE_FILE = METADATA$FILENAME, FILE_ROW_NUMBER = METADATA$FILE_ROW_NUMBER, LOADED_AT = METADATA$START_SCAN_TIME)`
  );
}

/** The COPY of the publication records: JSON objects whose `version` lands in VERSION. */
export function publicationsCopyStatement(target: string, stage: string): string {
  return (
    `COPY INTO ${target} FROM @${stage}/${PUBLISHED_PREFIX} ` +
    `FILE_FORMAT = (TYPE = JSON) ` +
    `MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE ` +
    `INCLUDE_METADATA = (SOURCE_FILE = METADATA$FILENAME, FILE_LAST_MODIFIED = METADATA$FILE_LAST_MODIFIED, LOADED_AT = METADATA$START_SCAN_TIME)`
  );
}

// The path patterns of lakeKeys (functions/commons/keys.ts) and of the publish step.
const DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
const pathPart = (source: string, pattern: string) =>
  `REGEXP_SUBSTR(${source}, '${pattern}', 1, 1, 'e', 1)`;

/** One published version per hour: the newest record of each hour (a republish rewrites it). */
export function publishedHoursStatement(publications: string): string {
  return [
    `SELECT SNAPSHOT_DATE, SNAPSHOT_HOUR, VERSION FROM (`,
    `SELECT ${pathPart("SOURCE_FILE", `${PUBLISHED_PREFIX}snapshot_date=(${DATE})/`)} AS SNAPSHOT_DATE,`,
    `${pathPart("SOURCE_FILE", "/snapshot_hour=([0-9]{2})[.]json$")} AS SNAPSHOT_HOUR,`,
    `VERSION, FILE_LAST_MODIFIED, LOADED_AT FROM ${publications}`,
    `) WHERE SNAPSHOT_DATE IS NOT NULL AND SNAPSHOT_HOUR IS NOT NULL`,
    `QUALIFY ROW_NUMBER() OVER (PARTITION BY SNAPSHOT_DATE, SNAPSHOT_HOUR ORDER BY FILE_LAST_MODIFIED DESC, LOADED_AT DESC) = 1`,
  ].join("\n");
}

/**
 * A table as people query it: the rows of each hour's published version, each file row once,
 * with the partition columns parsed from the file's path.
 */
export function tableViewStatement(
  table: LakeTable,
  loadTable: string,
  publishedHours: string,
): string {
  const columns = dataColumns(table).map((column) => `l.${column.name}`);
  return [
    `SELECT ${[...columns, ...PARTITION_COLUMNS.map((c) => `l.${c}`)].join(", ")} FROM (`,
    `SELECT *,`,
    `${pathPart("SOURCE_FILE", `/snapshot_date=(${DATE})/`)} AS SNAPSHOT_DATE,`,
    `${pathPart("SOURCE_FILE", "/snapshot_hour=([0-9]{2})/")} AS SNAPSHOT_HOUR,`,
    `${pathPart("SOURCE_FILE", "/version=([0-9a-f]+)/")} AS VERSION`,
    `FROM ${loadTable}`,
    `) l JOIN ${publishedHours} p`,
    `ON p.SNAPSHOT_DATE = l.SNAPSHOT_DATE AND p.SNAPSHOT_HOUR = l.SNAPSHOT_HOUR AND p.VERSION = l.VERSION`,
    `QUALIFY ROW_NUMBER() OVER (PARTITION BY l.SOURCE_FILE, l.FILE_ROW_NUMBER ORDER BY l.LOADED_AT) = 1`,
  ].join("\n");
}
