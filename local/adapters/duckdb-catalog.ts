// The local Data Catalog: one DuckDB file holding, per table, the partitions a crawl (or a
// direct registration) recorded, each as a folder relative to the data folder (the parent of
// catalog/), so a copied or moved data folder reads its own files, and the table's columns in
// Glue's type names, so the crawl step can compare them with the transform's schema. Every
// change writes a whole new catalog beside the old one and renames it into place: a reader
// sees the old catalog or the new one, and never waits for a writer. Readers open it
// read-only and get one view per table over the registered folders; a sandboxed reader (the
// query command) can read the lake and nothing else, cannot change its settings, and may run
// SELECT statements only. DuckDbCatalog is the Catalog port over it: addPartitions registers
// partitions as Glue's BatchCreatePartition does (an already registered one is not an error).

import type { DuckDBConnection } from "@duckdb/node-api";
import { StatementType } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { CrawlerFailedError } from "../../functions/commons/errors";
import { LAKE_TABLES } from "../../functions/commons/keys";
import type { Catalog, CatalogColumn, PartitionValues } from "../../functions/commons/ports";
import { sqlString, withDuckDb } from "./duckdb";
import type { FileObjectStore } from "./file-object-store";
import { createRecordedViews, recordHistoryViews } from "./duckdb-history-views";
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

const PARTITION_KEYS = new Set(["snapshot_date", "snapshot_hour"]);

/** DuckDB's name for a Parquet column's type, as Glue would record it. */
export function glueTypeOf(duckDbType: string): string {
  const type = duckDbType.trim().toUpperCase();
  if (type.endsWith("[]")) return `array<${glueTypeOf(type.slice(0, -2))}>`;
  if (type === "VARCHAR") return "string";
  if (type === "INTEGER") return "int";
  if (type === "BIGINT") return "bigint";
  if (type === "BOOLEAN") return "boolean";
  if (type.startsWith("TIMESTAMP")) return "timestamp";
  if (type === "DOUBLE") return "double";
  return type.toLowerCase();
}

/**
 * Replaces the catalog with one registering exactly `partitions`, atomically, after reading
 * each table's schema from its files (as a crawl classifies them) and recording its columns:
 * a file that is not Parquet fails the crawl and leaves the old catalog in place.
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
      await db.run("CREATE TABLE catalog_tables (table_name VARCHAR PRIMARY KEY, columns VARCHAR)");
      const folders = new Map<string, string[]>();
      for (const p of partitions) {
        const values = [p.table, p.date, p.hour, p.location].map(sqlString).join(", ");
        await db.run(`INSERT INTO catalog_partitions VALUES (${values})`);
        const path = resolve(dataDirOfCatalog(catalogPath), p.location);
        folders.set(p.table, [...(folders.get(p.table) ?? []), path]);
      }
      for (const [table, paths] of folders) {
        const described = await db.runAndReadAll(`DESCRIBE ${tableSql(paths)}`);
        const columns: CatalogColumn[] = described
          .getRowObjectsJson()
          .filter((row) => !PARTITION_KEYS.has(String(row.column_name)))
          .map((row) => ({
            name: String(row.column_name),
            type: glueTypeOf(String(row.column_type)),
          }));
        await db.run(
          `INSERT INTO catalog_tables VALUES (${sqlString(table)}, ${sqlString(JSON.stringify(columns))})`,
        );
      }
      await recordHistoryViews(db);
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

/** The catalog file exists but is not a DuckDB database (e.g. truncated by a crash). */
export class CatalogUnreadableError extends Error {
  constructor(catalogPath: string, cause: unknown) {
    super(
      `the local catalog ${catalogPath} cannot be read (${(cause as Error).message.split("\n")[0]}); ` +
        "every crawl rebuilds it from the lake: run `npm start` again, or delete the file first",
      { cause },
    );
    this.name = "CatalogUnreadableError";
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
        const folders = await registeredFolders(db, catalogPath, lakeDir);
        for (const [table, paths] of folders) {
          await db.run(`CREATE TEMP VIEW ${table} AS ${tableSql(paths)}`);
        }
        await createRecordedViews(db, [...folders.keys()]);
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
    throw new CatalogUnreadableError(catalogPath, error);
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

/** Every partition the catalog registers; none when there is no catalog yet. */
export async function readCatalogPartitions(catalogPath: string): Promise<CatalogPartition[]> {
  if (!existsSync(catalogPath)) return [];
  return withCatalog(catalogPath, async (db) => {
    const reader = await db.runAndReadAll(
      "SELECT table_name, snapshot_date, snapshot_hour, location FROM catalog_partitions ORDER BY ALL",
    );
    return (reader.getRows() as [string, string, string, string][]).map(
      ([table, date, hour, location]) => ({ table, date, hour, location }),
    );
  });
}

/** The Catalog port over the local catalog file (the Glue Data Catalog's stand-in). */
export class DuckDbCatalog implements Catalog {
  constructor(
    private readonly lake: FileObjectStore,
    private readonly catalogPath: string,
  ) {}

  /** Undefined also when the catalog file is unreadable: the crawl that follows rebuilds it. */
  async tableColumns(table: string): Promise<CatalogColumn[] | undefined> {
    if (!existsSync(this.catalogPath)) return undefined;
    try {
      return await withCatalog(this.catalogPath, async (db) => {
        // A catalog written before columns were recorded has no catalog_tables: crawl again.
        const recorded = await db.runAndReadAll(
          "SELECT 1 FROM duckdb_tables() WHERE table_name = 'catalog_tables'",
        );
        if (recorded.getRows().length === 0) return undefined;
        const reader = await db.runAndReadAll(
          `SELECT columns FROM catalog_tables WHERE table_name = ${sqlString(table)}`,
        );
        const [row] = reader.getRowObjectsJson();
        return row ? (JSON.parse(String(row.columns)) as CatalogColumn[]) : undefined;
      });
    } catch (error) {
      if (error instanceof CatalogUnreadableError) return undefined;
      throw error;
    }
  }

  /**
   * Registers the partitions of `table` that are not yet registered, by writing a new catalog
   * with them added (atomically, like every catalog change). Two runs of different hours
   * registering at the same moment can lose one registration; that run's validation then
   * finds its partition missing and fails by name, and a rerun registers it.
   */
  async addPartitions(
    table: string,
    partitions: readonly PartitionValues[],
  ): Promise<{ added: number; existing: number }> {
    if ((await this.tableColumns(table)) === undefined) {
      throw new CrawlerFailedError(
        `local catalog table ${table} does not exist: crawl the lake first`,
      );
    }
    const registered = await readCatalogPartitions(this.catalogPath);
    const known = new Set(
      registered.filter((p) => p.table === table).map((p) => `${p.date}/${p.hour}`),
    );
    const dataDir = dataDirOfCatalog(this.catalogPath);
    const added: CatalogPartition[] = [];
    for (const { date, hour } of partitions) {
      if (known.has(`${date}/${hour}`)) continue;
      known.add(`${date}/${hour}`);
      const folder = this.lake.pathOf(`${table}/snapshot_date=${date}/snapshot_hour=${hour}`);
      added.push({ table, date, hour, location: relative(dataDir, folder).split(sep).join("/") });
    }
    if (added.length > 0) await writeCatalog(this.catalogPath, [...registered, ...added]);
    return { added: added.length, existing: partitions.length - added.length };
  }
}
