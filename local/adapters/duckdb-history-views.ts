// The chart views (functions/core/history/views.ts) in the local catalog, as the Glue
// database holds them in AWS: every catalog write records their SQL in the catalog file
// (catalog_views), and every reader of the catalog creates them over its table views, so a
// query, a check or the explorer sees them after any run. A catalog written before views were
// recorded has none until the next run rewrites it.

import type { DuckDBConnection } from "@duckdb/node-api";
import { HISTORY_VIEW_TABLES, HISTORY_VIEWS } from "../../functions/core/history/views";
import { sqlString } from "./duckdb";

/** Records the views in a catalog being written (called by writeCatalog). */
export async function recordHistoryViews(db: DuckDBConnection): Promise<void> {
  await db.run("CREATE TABLE catalog_views (ordinal INTEGER, view_name VARCHAR, sql VARCHAR)");
  for (const [ordinal, view] of HISTORY_VIEWS.entries()) {
    await db.run(
      `INSERT INTO catalog_views VALUES (${ordinal}, ${sqlString(view.name)}, ${sqlString(view.sql)})`,
    );
  }
}

/**
 * Creates the recorded views as temporary views of a reader's connection, once the tables
 * they read are there (DuckDB binds a view when it is created), skipping any that cannot bind.
 */
export async function createRecordedViews(
  db: DuckDBConnection,
  tables: readonly string[],
): Promise<void> {
  if (!HISTORY_VIEW_TABLES.every((table) => tables.includes(table))) return;
  const recorded = await db.runAndReadAll(
    "SELECT 1 FROM duckdb_tables() WHERE table_name = 'catalog_views'",
  );
  if (recorded.getRows().length === 0) return;
  const views = await db.runAndReadAll("SELECT view_name, sql FROM catalog_views ORDER BY ordinal");
  for (const [name, sql] of views.getRows() as [string, string][]) {
    // The views are for reading history; a lake they cannot bind to (a table without a column
    // they read) must not stop the crawl or the checks that also open the catalog. The view
    // is then absent, and a query of it says so by name.
    await db.run(`CREATE TEMP VIEW ${name} AS ${sql}`).catch(() => undefined);
  }
}
