// The local Data Catalog: one DuckDB file holding, per table, the partitions a crawl or the
// crawl step's publish recorded, each as a folder relative to the data folder (the parent of
// catalog/), so a copied or moved data folder reads its own files, and the table's columns in
// Glue's type names, so the crawl step can compare them with the transform's schema. Every
// change writes a whole new catalog beside the old one and renames it into place: a reader
// sees the old catalog or the new one, and never waits for a writer; so pointing all four
// tables' partitions of an hour at a new version is one atomic switch. Readers open it
// read-only and get one view per table over the registered folders, the partition values
// taken from the catalog (as Athena takes them from Glue), not from the path; a sandboxed
// reader (the query command) can read the lake and nothing else, cannot change its settings,
// and may run SELECT statements only. DuckDbCatalog is the Catalog port over it.

import type { DuckDBConnection } from "@duckdb/node-api";
import { StatementType } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { CrawlerFailedError } from "../../functions/commons/errors";
import { LAKE_TABLES } from "../../functions/commons/keys";
import type { Catalog, CatalogColumn, PartitionLocation } from "../../functions/commons/ports";
import { withCatalogLock } from "./catalog-lock";
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

export interface CatalogTable {
  table: string;
  columns: CatalogColumn[];
}

/** What the catalog file holds. */
export interface CatalogContents {
  tables: CatalogTable[];
  partitions: CatalogPartition[];
}

/** A registered partition's folder (absolute path) and its values. */
interface PartitionFolder {
  path: string;
  date: string;
  hour: string;
}

/**
 * The query over a table's partitions. The values of the partition keys come from the
 * catalog, as Athena's come from Glue: the folder (`…/snapshot_hour=05/version=…/`) is only
 * where the files are.
 */
function tableSql(partitions: readonly PartitionFolder[]): string {
  return partitions
    .map(
      ({ path, date, hour }) =>
        `SELECT *, ${sqlString(date)} AS snapshot_date, ${sqlString(hour)} AS snapshot_hour ` +
        `FROM read_parquet(${sqlString(`${path}/*.parquet`)}, hive_partitioning = false)`,
    )
    .join(" UNION ALL BY NAME ");
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

/** The columns of the Parquet files in `folders` (absolute paths), as a crawl classifies them. */
export async function describeParquetColumns(folders: readonly string[]): Promise<CatalogColumn[]> {
  return withDuckDb(":memory:", async (db) => {
    const globs = folders.map((f) => sqlString(`${f}/*.parquet`)).join(", ");
    const described = await db.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet([${globs}], hive_partitioning = false, union_by_name = true)`,
    );
    return described
      .getRowObjectsJson()
      .filter((row) => !PARTITION_KEYS.has(String(row.column_name)))
      .map((row) => ({ name: String(row.column_name), type: glueTypeOf(String(row.column_type)) }));
  });
}

/** Replaces the catalog with `contents`, atomically: a new file renamed into place. */
export async function writeCatalog(catalogPath: string, contents: CatalogContents): Promise<void> {
  await mkdir(dirname(catalogPath), { recursive: true });
  const temporary = temporaryPathFor(catalogPath);
  try {
    await withDuckDb(temporary, async (db) => {
      await db.run(
        "CREATE TABLE catalog_partitions (table_name VARCHAR, snapshot_date VARCHAR, snapshot_hour VARCHAR, location VARCHAR)",
      );
      await db.run("CREATE TABLE catalog_tables (table_name VARCHAR PRIMARY KEY, columns VARCHAR)");
      for (const p of contents.partitions) {
        const values = [p.table, p.date, p.hour, p.location].map(sqlString).join(", ");
        await db.run(`INSERT INTO catalog_partitions VALUES (${values})`);
      }
      for (const { table, columns } of contents.tables) {
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
    "SELECT table_name, location, snapshot_date, snapshot_hour FROM catalog_partitions ORDER BY ALL",
  );
  const folders = new Map<string, PartitionFolder[]>();
  for (const [table, location, date, hour] of reader.getRows() as string[][] as [
    string,
    string,
    string,
    string,
  ][]) {
    const path = resolve(dataDirOfCatalog(catalogPath), location);
    if (!(LAKE_TABLES as readonly string[]).includes(table)) continue;
    if (isAbsolute(location) || !path.startsWith(lakeDir + sep)) {
      throw new Error(
        `the local catalog ${catalogPath} registers ${location} for ${table}, outside the lake; ` +
          "delete the file and run `npm start`: every crawl rebuilds it",
      );
    }
    folders.set(table, [...(folders.get(table) ?? []), { path, date, hour }]);
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
  options: { sandbox?: boolean; views?: boolean } = {},
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
        // Views read the files: not needed (nor wanted, a folder may be gone) to read the
        // catalog's own records.
        const folders =
          options.views === false
            ? new Map<string, PartitionFolder[]>()
            : await registeredFolders(db, catalogPath, lakeDir);
        for (const [table, partitions] of folders) {
          await db.run(`CREATE TEMP VIEW ${table} AS ${tableSql(partitions)}`);
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

/**
 * What the catalog holds; undefined when there is no catalog yet, or when it was written
 * before columns were recorded (a crawl then rebuilds it). Throws CatalogUnreadableError when
 * the file is not a DuckDB database.
 */
export async function readCatalog(catalogPath: string): Promise<CatalogContents | undefined> {
  if (!existsSync(catalogPath)) return undefined;
  return withCatalog(
    catalogPath,
    async (db) => {
      const recorded = await db.runAndReadAll(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = 'catalog_tables'",
      );
      if (recorded.getRows().length === 0) return undefined;
      const tables = await db.runAndReadAll(
        "SELECT table_name, columns FROM catalog_tables ORDER BY table_name",
      );
      const partitions = await db.runAndReadAll(
        "SELECT table_name, snapshot_date, snapshot_hour, location FROM catalog_partitions ORDER BY ALL",
      );
      return {
        tables: (tables.getRows() as [string, string][]).map(([table, columns]) => ({
          table,
          columns: JSON.parse(columns) as CatalogColumn[],
        })),
        partitions: (partitions.getRows() as [string, string, string, string][]).map(
          ([table, date, hour, location]) => ({ table, date, hour, location }),
        ),
      };
    },
    { views: false },
  );
}

/** Every partition the catalog registers; none when there is no catalog yet. */
export async function readCatalogPartitions(catalogPath: string): Promise<CatalogPartition[]> {
  return (await readCatalog(catalogPath))?.partitions ?? [];
}

/**
 * Sets each partition's folder in `contents`: replaces the entry of a registered partition,
 * adds the others. Returns the new contents and how many were added and replaced.
 */
export function withPartitions(
  contents: CatalogContents,
  partitions: readonly CatalogPartition[],
): { contents: CatalogContents; added: number; existing: number } {
  const key = (p: { table: string; date: string; hour: string }) =>
    `${p.table}/${p.date}/${p.hour}`;
  const byKey = new Map(contents.partitions.map((p) => [key(p), p]));
  let existing = 0;
  for (const p of partitions) {
    if (byKey.has(key(p))) existing += 1;
    byKey.set(key(p), p);
  }
  return {
    contents: { tables: contents.tables, partitions: [...byKey.values()] },
    added: partitions.length - existing,
    existing,
  };
}

/** The Catalog port over the local catalog file (the Glue Data Catalog's stand-in). */
export class DuckDbCatalog implements Catalog {
  constructor(
    private readonly lake: FileObjectStore,
    private readonly catalogPath: string,
  ) {}

  /** Undefined also when the catalog file is unreadable: the crawl that follows rebuilds it. */
  async tableColumns(table: string): Promise<CatalogColumn[] | undefined> {
    try {
      const contents = await readCatalog(this.catalogPath);
      return contents?.tables.find((t) => t.table === table)?.columns;
    } catch (error) {
      if (error instanceof CatalogUnreadableError) return undefined;
      throw error;
    }
  }

  /**
   * Points every partition at its folder in one new catalog, renamed into place: a query sees
   * all of them switched or none. Under the catalog lock, so no other change is lost.
   */
  async pointPartitions(
    partitions: readonly PartitionLocation[],
  ): Promise<{ added: number; existing: number }> {
    return withCatalogLock(this.catalogPath, () => this.point(partitions));
  }

  private async point(
    partitions: readonly PartitionLocation[],
  ): Promise<{ added: number; existing: number }> {
    const contents = await readCatalog(this.catalogPath);
    const missing = [...new Set(partitions.map((p) => p.table))].filter(
      (table) => !contents?.tables.some((t) => t.table === table),
    );
    if (contents === undefined || missing.length > 0) {
      throw new CrawlerFailedError(
        `local catalog table ${missing.join(", ")} does not exist: crawl the lake first`,
      );
    }
    const dataDir = dataDirOfCatalog(this.catalogPath);
    const located = partitions.map(({ table, date, hour, folder }) => ({
      table,
      date,
      hour,
      location: relative(dataDir, this.lake.pathOf(folder.replace(/\/$/, "")))
        .split(sep)
        .join("/"),
    }));
    const next = withPartitions(contents, located);
    await writeCatalog(this.catalogPath, next.contents);
    return { added: next.added, existing: next.existing };
  }
}
