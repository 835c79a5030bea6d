// Reads a lake written to a MemoryObjectStore back as files, the way the query engines see it:
// the store's objects are copied into a scratch folder and queried as Parquet with DuckDB.

import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll } from "vitest";
import type { MemoryObjectStore } from "./memory-object-store";

export interface LakeFiles {
  /** Copies a store's objects into folder `name` of the scratch folder and returns its path. */
  materialize(store: MemoryObjectStore, name: string): Promise<string>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Column name -> DuckDB type of a Parquet file or glob. */
  columnTypes(path: string): Promise<Record<string, string>>;
}

/** An in-memory DuckDB and a scratch folder for one test file: opened before its tests, removed after. */
export function lakeFiles(): LakeFiles {
  let db: DuckDBInstance;
  let connection: DuckDBConnection;
  let scratch: string;

  beforeAll(async () => {
    db = await DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    connection = await db.connect();
    scratch = await mkdtemp(join(tmpdir(), "transform-test-"));
  });

  afterAll(async () => {
    connection?.closeSync();
    db?.closeSync();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  };

  return {
    async materialize(store, name) {
      const root = join(scratch, name);
      for (const [key, body] of store.objects) {
        await mkdir(dirname(join(root, key)), { recursive: true });
        await writeFile(join(root, key), body);
      }
      return root;
    },
    query,
    async columnTypes(path) {
      const rows = await query(
        `DESCRIBE SELECT * FROM read_parquet('${path}', hive_partitioning = false)`,
      );
      return Object.fromEntries(
        rows.map((r) => [r.column_name as string, r.column_type as string]),
      );
    },
  };
}
