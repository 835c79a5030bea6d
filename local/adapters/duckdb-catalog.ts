// The local Data Catalog, in the DuckDB file the query engine reads: every table is a view
// over the Parquet folders of its registered partitions, and its columns are recorded in
// Glue's type names, so the crawl step can compare them with the transform's schema. The
// local crawler rebuilds it from the lake; addPartitions registers partitions one by one,
// as Glue's BatchCreatePartition does (an already registered one is not an error).

import type { DuckDBConnection } from "@duckdb/node-api";
import { CrawlerFailedError } from "../../functions/commons/errors";
import type { Catalog, CatalogColumn, PartitionValues } from "../../functions/commons/ports";
import { connectDuckDb, sqlString } from "./duckdb";
import type { FileObjectStore } from "./file-object-store";

const PARTITION_KEYS = new Set(["snapshot_date", "snapshot_hour"]);

export async function createCatalogTables(db: DuckDBConnection): Promise<void> {
  await db.run(
    "CREATE TABLE IF NOT EXISTS catalog_partitions (table_name VARCHAR, snapshot_date VARCHAR, snapshot_hour VARCHAR, location VARCHAR)",
  );
  await db.run(
    "CREATE TABLE IF NOT EXISTS catalog_tables (table_name VARCHAR PRIMARY KEY, columns VARCHAR)",
  );
}

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
 * (Re)defines the view of `table` over its registered partitions and records its columns.
 * Glue types partition columns as strings; say so, rather than let DuckDB guess DATE/INT.
 */
export async function defineTableView(db: DuckDBConnection, table: string): Promise<void> {
  const reader = await db.runAndReadAll(
    `SELECT location FROM catalog_partitions WHERE table_name = ${sqlString(table)} ORDER BY snapshot_date, snapshot_hour`,
  );
  const globs = reader.getRowObjectsJson().map((row) => `${String(row.location)}/*.parquet`);
  if (globs.length === 0) return;
  await db.run(
    `CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet([${globs.map(sqlString).join(", ")}], ` +
      `hive_partitioning = true, union_by_name = true, ` +
      `hive_types = {'snapshot_date': VARCHAR, 'snapshot_hour': VARCHAR})`,
  );
  const described = await db.runAndReadAll(`DESCRIBE ${table}`);
  const columns: CatalogColumn[] = described
    .getRowObjectsJson()
    .filter((row) => !PARTITION_KEYS.has(String(row.column_name)))
    .map((row) => ({ name: String(row.column_name), type: glueTypeOf(String(row.column_type)) }));
  await db.run(
    `INSERT OR REPLACE INTO catalog_tables VALUES (${sqlString(table)}, ${sqlString(JSON.stringify(columns))})`,
  );
}

export class DuckDbCatalog implements Catalog {
  constructor(
    private readonly lake: FileObjectStore,
    private readonly catalogPath: string,
  ) {}

  async tableColumns(table: string): Promise<CatalogColumn[] | undefined> {
    const db = await connectDuckDb(this.catalogPath);
    try {
      await createCatalogTables(db);
      const reader = await db.runAndReadAll(
        `SELECT columns FROM catalog_tables WHERE table_name = ${sqlString(table)}`,
      );
      const [row] = reader.getRowObjectsJson();
      return row ? (JSON.parse(String(row.columns)) as CatalogColumn[]) : undefined;
    } finally {
      db.closeSync();
    }
  }

  async addPartitions(
    table: string,
    partitions: readonly PartitionValues[],
  ): Promise<{ added: number; existing: number }> {
    const db = await connectDuckDb(this.catalogPath);
    await db.run("BEGIN TRANSACTION");
    try {
      await createCatalogTables(db);
      const known = await db.runAndReadAll(
        `SELECT 1 FROM catalog_tables WHERE table_name = ${sqlString(table)}`,
      );
      if (known.getRowObjectsJson().length === 0) {
        throw new CrawlerFailedError(
          `local catalog table ${table} does not exist: crawl the lake first`,
        );
      }
      let added = 0;
      for (const { date, hour } of partitions) {
        const values = [table, date, hour].map(sqlString);
        const found = await db.runAndReadAll(
          `SELECT 1 FROM catalog_partitions WHERE table_name = ${values[0]} AND snapshot_date = ${values[1]} AND snapshot_hour = ${values[2]}`,
        );
        if (found.getRowObjectsJson().length > 0) continue;
        const location = this.lake.pathOf(`${table}/snapshot_date=${date}/snapshot_hour=${hour}`);
        await db.run(
          `INSERT INTO catalog_partitions VALUES (${[...values, sqlString(location)].join(", ")})`,
        );
        added += 1;
      }
      if (added > 0) await defineTableView(db, table);
      await db.run("COMMIT");
      return { added, existing: partitions.length - added };
    } catch (error) {
      await db.run("ROLLBACK");
      throw error;
    } finally {
      db.closeSync();
    }
  }
}
