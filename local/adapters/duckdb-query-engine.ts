// The local stand-in for Athena: runs SQL in DuckDB against the crawled catalog and keeps
// each query's outcome in a results folder, as Athena keeps results in S3, so status and
// rows can be read back in a later state (or a later process, after a redrive).

import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { QueryEngine, QueryStatus } from "../../functions/commons/ports";
import { sandboxedQuery, withCatalog } from "./duckdb-catalog";

interface StoredQuery {
  sql: string;
  status: QueryStatus;
  rows: Record<string, string | null>[];
}

/** Renders a DuckDB value the way Athena's GetQueryResults would: as text. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Runs one query over the catalog's tables, sandboxed: read-only, confined to the lake, SELECT
 * only (a refused statement throws RefusedStatementError naming it).
 */
export async function runSql(
  catalogPath: string,
  sql: string,
): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  return withCatalog(
    catalogPath,
    async (db) => {
      const reader = await sandboxedQuery(db, sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() };
    },
    { sandbox: true },
  );
}

export class DuckDbQueryEngine implements QueryEngine {
  constructor(
    private readonly catalogPath: string,
    private readonly resultsDir: string,
  ) {}

  async start(sql: string): Promise<string> {
    const queryId = randomUUID();
    let stored: StoredQuery;
    try {
      const { rows } = await runSql(this.catalogPath, sql);
      stored = {
        sql,
        status: { state: "SUCCEEDED" },
        rows: rows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, asText(v)])),
        ),
      };
    } catch (error) {
      stored = {
        sql,
        status: { state: "FAILED", reason: (error as Error).message, retryable: false },
        rows: [],
      };
    }
    await mkdir(this.resultsDir, { recursive: true });
    await writeFile(join(this.resultsDir, `${queryId}.json`), JSON.stringify(stored));
    return queryId;
  }

  async status(queryId: string): Promise<QueryStatus> {
    return (await this.read(queryId)).status;
  }

  async rows(queryId: string): Promise<Record<string, string | null>[]> {
    return (await this.read(queryId)).rows;
  }

  private async read(queryId: string): Promise<StoredQuery> {
    if (!/^[0-9a-f-]{36}$/.test(queryId)) throw new Error(`not a query id: ${queryId}`);
    return JSON.parse(await readFile(join(this.resultsDir, `${queryId}.json`), "utf8"));
  }
}
