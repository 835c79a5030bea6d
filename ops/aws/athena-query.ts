// One SQL query in the stage's Athena workgroup: start it, wait for it, page through its
// results (GetQueryResults, 1,000 rows a page), and say what it scanned and cost. A failed
// query reports Athena's reason. The rows come back as text, as Athena returns them.

import { GetQueryResultsCommand, type AthenaClient } from "@aws-sdk/client-athena";
import { AthenaQueryEngine } from "../../functions/commons/aws/athena-query-engine";
import { awsCall, OpsError } from "../errors";

/** Athena's price: USD 5 per TB scanned, at least 10 MB per query (eu-west-1, us-east-1, 2026). */
export const USD_PER_TB = 5;
export const MIN_BILLED_BYTES = 10 * 1024 * 1024;

export interface QueryResult {
  queryExecutionId: string;
  columns: string[];
  rows: Record<string, string | null>[];
  /** More rows exist than maxRows allowed. */
  truncated: boolean;
  bytesScanned: number;
  /** USD, from the bytes billed (scanned, at least the minimum). */
  costUsd: number;
}

export interface QueryOptions {
  athena: AthenaClient;
  region: string;
  workgroup: string;
  database: string;
  sql: string;
  /** Stop paging after this many rows (default 10,000). */
  maxRows?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function queryCostUsd(bytesScanned: number): number {
  if (bytesScanned <= 0) return 0;
  return (Math.max(bytesScanned, MIN_BILLED_BYTES) / 1024 ** 4) * USD_PER_TB;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runAthenaQuery(options: QueryOptions): Promise<QueryResult> {
  const { athena, region, workgroup } = options;
  const sleep = options.sleep ?? wait;
  const maxRows = options.maxRows ?? 10_000;
  const context = {
    region,
    subject: `Athena workgroup ${workgroup}`,
    notFoundHint: "Is the stack deployed in this region (--stage, --region)?",
  };
  // Starting and polling are the validation step's (functions/commons/aws); paging is this
  // module's, which stops at maxRows and takes the names from the result's metadata.
  const engine = new AthenaQueryEngine(workgroup, options.database, athena);
  const queryExecutionId = await awsCall(context, () => engine.start(options.sql));
  let status = await awsCall(context, () => engine.status(queryExecutionId));
  while (status.state !== "SUCCEEDED") {
    if (status.state === "FAILED" || status.state === "CANCELLED") {
      throw new OpsError(
        `Query ${status.state === "FAILED" ? "failed" : "was cancelled"}: ${status.reason ?? "no reason given"}`,
      );
    }
    await sleep(options.pollMs ?? 500);
    status = await awsCall(context, () => engine.status(queryExecutionId));
  }
  const bytesScanned = status.bytesScanned ?? 0;

  const columns: string[] = [];
  const rows: Record<string, string | null>[] = [];
  let nextToken: string | undefined;
  let first = true;
  let truncated = false;
  do {
    const page = await awsCall(context, () =>
      athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: queryExecutionId,
          MaxResults: 1000,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    if (first) {
      for (const column of page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []) {
        columns.push(column.Name ?? column.Label ?? `_col${columns.length}`);
      }
    }
    const pageRows = page.ResultSet?.Rows ?? [];
    // A SELECT's first row repeats the column names; other statements (SHOW, DESCRIBE) have none.
    const skipHeader =
      first &&
      pageRows[0] !== undefined &&
      columns.length > 0 &&
      columns.every((name, i) => pageRows[0]!.Data?.[i]?.VarCharValue === name);
    first = false;
    for (const row of skipHeader ? pageRows.slice(1) : pageRows) {
      if (rows.length >= maxRows) {
        truncated = true;
        break;
      }
      rows.push(
        Object.fromEntries(columns.map((name, i) => [name, row.Data?.[i]?.VarCharValue ?? null])),
      );
    }
    nextToken = truncated ? undefined : page.NextToken;
  } while (nextToken);

  return {
    queryExecutionId,
    columns,
    rows,
    truncated,
    bytesScanned,
    costUsd: queryCostUsd(bytesScanned),
  };
}
