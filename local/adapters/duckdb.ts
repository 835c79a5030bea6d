// One DuckDB instance per database file per process, opened so it never reaches for the
// network: any http(s)/s3 path would otherwise make DuckDB try to download an extension.

import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDBConnection } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

const OFFLINE = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
};

export async function connectDuckDb(databasePath: string): Promise<DuckDBConnection> {
  if (databasePath !== ":memory:") mkdirSync(dirname(databasePath), { recursive: true });
  const instance = await DuckDBInstance.fromCache(databasePath, OFFLINE);
  return instance.connect();
}

/** Quotes a string literal for SQL. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;
