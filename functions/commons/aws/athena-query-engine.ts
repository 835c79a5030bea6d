// QueryEngine over Amazon Athena. The workgroup enforces the results location, encryption
// and the bytes-scanned cutoff, so queries only name the workgroup and the database.

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { QueryEngine, QueryStatus } from "../ports";

export class AthenaQueryEngine implements QueryEngine {
  constructor(
    private readonly workGroup: string,
    private readonly database: string,
    private readonly athena: AthenaClient = new AthenaClient({}),
  ) {}

  async start(sql: string): Promise<string> {
    const { QueryExecutionId } = await this.athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.workGroup,
        QueryExecutionContext: { Database: this.database },
      }),
    );
    if (!QueryExecutionId) throw new Error("Athena returned no QueryExecutionId");
    return QueryExecutionId;
  }

  async status(queryId: string): Promise<QueryStatus> {
    const { QueryExecution: q } = await this.athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
    );
    const status = q?.Status;
    const reason = status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason;
    return {
      state: status?.State ?? "QUEUED",
      ...(reason ? { reason } : {}),
      ...(status?.AthenaError ? { retryable: status.AthenaError.Retryable === true } : {}),
      ...(q?.Statistics?.DataScannedInBytes !== undefined
        ? { bytesScanned: q.Statistics.DataScannedInBytes }
        : {}),
    };
  }

  async rows(queryId: string): Promise<Record<string, string | null>[]> {
    const rows: Record<string, string | null>[] = [];
    let header: string[] | undefined;
    let token: string | undefined;
    do {
      const page = await this.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: token }),
      );
      for (const row of page.ResultSet?.Rows ?? []) {
        const values = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
        // The first row of a SELECT's first page is the header.
        if (!header) {
          header = values.map((v, i) => v ?? `_col${i}`);
          continue;
        }
        rows.push(Object.fromEntries(header.map((name, i) => [name, values[i] ?? null])));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }
}
