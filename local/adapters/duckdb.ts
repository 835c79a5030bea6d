// DuckDB for the local adapters, opened so it never reaches for the network: any http(s)/s3
// path would otherwise make DuckDB try to download an extension. A database file is opened
// for one piece of work and closed after it, so no process keeps its file lock longer than
// that (an open `npm run query` or a run of another hour never holds a crawl back).

import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDBConnection } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

const OFFLINE = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
};

/** An in-memory database (shared per process), for tests and scratch work. */
export async function connectDuckDb(databasePath: ":memory:"): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.fromCache(databasePath, OFFLINE);
  return instance.connect();
}

/** Opens `databasePath` (read-only if asked), runs `work` on a connection, then closes both. */
export async function withDuckDb<T>(
  databasePath: string,
  work: (db: DuckDBConnection) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  if (!options.readOnly) mkdirSync(dirname(databasePath), { recursive: true });
  const instance = await DuckDBInstance.create(databasePath, {
    ...OFFLINE,
    ...(options.readOnly ? { access_mode: "READ_ONLY" } : {}),
  });
  try {
    const connection = await instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Quotes a string literal for SQL. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;
