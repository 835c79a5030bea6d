// The local Data Catalog: one DuckDB file holding, per table, the partitions a crawl
// registered, each as a folder relative to the data folder (the parent of catalog/), so a
// copied or moved data folder reads its own files. A crawl writes a whole new catalog beside
// the old one and renames it into place: a reader sees the old catalog or the new one, and
// never waits for a writer. Readers open it read-only and get one view per table over the
// registered folders; a sandboxed reader (the query command) can read the lake and nothing
// else, cannot change its settings, and may run SELECT statements only.

import type { DuckDBConnection } from "@duckdb/node-api";
import { StatementType } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { LAKE_TABLES } from "../../functions/commons/keys";
import { sqlString, withDuckDb } from "./duckdb";
import { temporaryPathFor } from "./temporary-files";

export interface CatalogPartition {
  table: string;
  date: string;
  hour: string;
  /** The partition's folder, relative to the data folder, `/`-separated. */
  location: string;
}

/** The data folder a catalog file belongs to: the parent of its `catalog/` folder. */
export const dataDirOfCatalog = (catalogPath: string): string =>
  resolve(dirname(catalogPath), "..");

/** The query over a table's partition folders (absolute paths). */
function tableSql(paths: readonly string[]): string {
  const globs = paths.map((p) => sqlString(`${p}/*.parquet`)).join(", ");
  // Glue types partition columns as strings; say so, rather than let DuckDB guess.
  return (
    `SELECT * FROM read_parquet([${globs}], hive_partitioning = true, union_by_name = true, ` +
    `hive_types = {'snapshot_date': VARCHAR, 'snapshot_hour': VARCHAR})`
  );
}

/**
 * Replaces the catalog with one registering exactly `partitions`, atomically, after reading
 * each table's schema from its files (as a crawl classifies them): a file that is not Parquet
 * fails the crawl and leaves the old catalog in place.
 */
export async function writeCatalog(
  catalogPath: string,
  partitions: readonly CatalogPartition[],
): Promise<void> {
  await mkdir(dirname(catalogPath), { recursive: true });
  const temporary = temporaryPathFor(catalogPath);
  try {
    await withDuckDb(temporary, async (db) => {
      await db.run(
        "CREATE TABLE catalog_partitions (table_name VARCHAR, snapshot_date VARCHAR, snapshot_hour VARCHAR, location VARCHAR)",
      );
      const folders = new Map<string, string[]>();
      for (const p of partitions) {
        const values = [p.table, p.date, p.hour, p.location].map(sqlString).join(", ");
        await db.run(`INSERT INTO catalog_partitions VALUES (${values})`);
        const path = resolve(dataDirOfCatalog(catalogPath), p.location);
        folders.set(p.table, [...(folders.get(p.table) ?? []), path]);
      }
      for (const paths of folders.values()) await db.run(`DESCRIBE ${tableSql(paths)}`);
    });
    // A write-ahead log left by a crashed writer of an older catalog would be replayed into
    // the new file: drop it first (a clean close leaves none).
    await rm(`${catalogPath}.wal`, { force: true });
    await rename(temporary, catalogPath);
  } finally {
    await rm(temporary, { force: true });
    await rm(`${temporary}.wal`, { force: true });
  }
}

/** A statement the query command refuses, named. */
export class RefusedStatementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefusedStatementError";
  }
}

const ALLOWED_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
const REFUSED_KEYWORDS = new Set(
  "ALTER ATTACH CALL CHECKPOINT COPY CREATE DELETE DETACH DROP EXPORT IMPORT INSERT INSTALL LOAD PRAGMA RESET SET UPDATE USE VACUUM".split(
    " ",
  ),
);

/** The partition folders of each table, refusing a location that leaves the lake. */
async function registeredFolders(db: DuckDBConnection, catalogPath: string, lakeDir: string) {
  const reader = await db.runAndReadAll(
    "SELECT table_name, location FROM catalog_partitions ORDER BY table_name, location",
  );
  const folders = new Map<string, string[]>();
  for (const [table, location] of reader.getRows() as [string, string][]) {
    const path = resolve(dataDirOfCatalog(catalogPath), location);
    if (!(LAKE_TABLES as readonly string[]).includes(table)) continue;
    if (isAbsolute(location) || !path.startsWith(lakeDir + sep)) {
      throw new Error(
        `the local catalog ${catalogPath} registers ${location} for ${table}, outside the lake; ` +
          "delete the file and run `npm start`: every crawl rebuilds it",
      );
    }
    folders.set(table, [...(folders.get(table) ?? []), path]);
  }
  return folders;
}

/**
 * Opens the catalog read-only with a view per table over its registered partitions, runs
 * `work`, and closes it. `sandbox` also confines the connection to the lake folder, locks its
 * configuration and lets `work` run only through `query` below.
 */
export async function withCatalog<T>(
  catalogPath: string,
  work: (db: DuckDBConnection) => Promise<T>,
  options: { sandbox?: boolean } = {},
): Promise<T> {
  if (!existsSync(catalogPath)) {
    throw new Error(`No local catalog at ${catalogPath}: run \`npm start\` first.`);
  }
  const lakeDir = join(dataDirOfCatalog(catalogPath), "lake");
  let opened = false;
  try {
    return await withDuckDb(
      catalogPath,
      async (db) => {
        opened = true;
        for (const [table, paths] of await registeredFolders(db, catalogPath, lakeDir)) {
          await db.run(`CREATE TEMP VIEW ${table} AS ${tableSql(paths)}`);
        }
        if (options.sandbox) {
          await db.run(`SET allowed_directories = [${sqlString(lakeDir + sep)}]`);
          await db.run("SET enable_external_access = false");
          await db.run("SET lock_configuration = true");
        }
        return work(db);
      },
      { readOnly: true },
    );
  } catch (error) {
    if (opened) throw error;
    throw new Error(
      `the local catalog ${catalogPath} cannot be read (${(error as Error).message.split("\n")[0]}); ` +
        "every crawl rebuilds it from the lake: run `npm start` again, or delete the file first",
      { cause: error },
    );
  }
}

/** Runs one SELECT (or EXPLAIN) statement; anything else is refused, naming it. */
export async function sandboxedQuery(db: DuckDBConnection, sql: string) {
  const statements = await db.extractStatements(sql);
  if (statements.count !== 1) {
    throw new RefusedStatementError(
      `give exactly one SELECT statement (this text holds ${statements.count})`,
    );
  }
  const refuse = (kind: string) =>
    new RefusedStatementError(
      `${kind} statements are refused: the local tables are read-only and queries may only SELECT`,
    );
  let prepared;
  try {
    prepared = await statements.prepare(0);
  } catch (error) {
    // Binding may fail first (COPY to a file outside the lake): still name the statement.
    const keyword = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase();
    if (keyword && REFUSED_KEYWORDS.has(keyword)) throw refuse(keyword);
    throw error;
  }
  if (!ALLOWED_STATEMENTS.has(prepared.statementType)) {
    throw refuse(StatementType[prepared.statementType] ?? String(prepared.statementType));
  }
  return prepared.runAndReadAll();
}
