// `query` (ops/aws/athena-query.ts, ops/format.ts): the Athena requests, paging through
// GetQueryResults (the header row only on the first page), the --max-rows stop, a failed
// query's reason, the cost of what was scanned; and the three output formats.

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { queryCostUsd, runAthenaQuery } from "../../ops/aws/athena-query";
import { formatBytes, formatRows, formatUsd } from "../../ops/format";

const athenaMock = mockClient(AthenaClient);
const athena = new AthenaClient({ region: "eu-west-1" });
beforeEach(() => athenaMock.reset());

const COLUMNS = [
  { Name: "playlist_name", Type: "varchar" },
  { Name: "songs", Type: "bigint" },
];
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});

function succeededWith(bytes: number) {
  athenaMock
    .on(StartQueryExecutionCommand)
    .resolves({ QueryExecutionId: "5f0c6a8e-0000-4000-8000-000000000001" })
    .on(GetQueryExecutionCommand)
    .resolvesOnce({ QueryExecution: { Status: { State: "QUEUED" } } })
    .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
    .resolves({
      QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: bytes } },
    });
}

describe("Function: runAthenaQuery", () => {
  it("runs in the workgroup and database, waits, and pages through every result page", async () => {
    // Prepare
    succeededWith(52_428_800);
    athenaMock
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: COLUMNS },
          Rows: [row("playlist_name", "songs"), row("Morning", "12")],
        },
        NextToken: "page-2",
      })
      .on(GetQueryResultsCommand, { NextToken: "page-2" })
      .resolves({ ResultSet: { Rows: [row("playlist_name", "3"), row(undefined, "0")] } });
    const sleeps: number[] = [];

    // Act
    const result = await runAthenaQuery({
      athena,
      region: "eu-west-1",
      workgroup: "spotify-lake-dev",
      database: "spotify_lake_dev",
      sql: "SELECT playlist_name, COUNT(*) AS songs FROM songs_data GROUP BY 1",
      pollMs: 250,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Assess: a later page's first row is data, even when it looks like the header.
    expect(result.columns).toEqual(["playlist_name", "songs"]);
    expect(result.rows).toEqual([
      { playlist_name: "Morning", songs: "12" },
      { playlist_name: "playlist_name", songs: "3" },
      { playlist_name: null, songs: "0" },
    ]);
    expect(result.truncated).toBe(false);
    expect(sleeps).toEqual([250, 250]);
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: "SELECT playlist_name, COUNT(*) AS songs FROM songs_data GROUP BY 1",
      WorkGroup: "spotify-lake-dev",
      QueryExecutionContext: { Database: "spotify_lake_dev" },
    });
    expect(athenaMock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: "5f0c6a8e-0000-4000-8000-000000000001", MaxResults: 1000 },
      {
        QueryExecutionId: "5f0c6a8e-0000-4000-8000-000000000001",
        MaxResults: 1000,
        NextToken: "page-2",
      },
    ]);
    expect(result.bytesScanned).toBe(52_428_800);
    expect(result.costUsd).toBeCloseTo((50 / 1024 / 1024) * 5, 12);
  });

  it("stops paging at --max-rows and says the result was cut", async () => {
    succeededWith(0);
    athenaMock.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: COLUMNS },
        Rows: [row("playlist_name", "songs"), row("a", "1"), row("b", "2"), row("c", "3")],
      },
      NextToken: "more",
    });
    const result = await runAthenaQuery({
      athena,
      region: "eu-west-1",
      workgroup: "w",
      database: "d",
      sql: "SELECT 1",
      maxRows: 2,
      sleep: async () => {},
    });
    expect(result.rows.map((r) => r.playlist_name)).toEqual(["a", "b"]);
    expect(result.truncated).toBe(true);
    expect(athenaMock.commandCalls(GetQueryResultsCommand)).toHaveLength(1);
  });

  it("reports a failed query with Athena's reason", async () => {
    athenaMock
      .on(StartQueryExecutionCommand)
      .resolves({ QueryExecutionId: "q" })
      .on(GetQueryExecutionCommand)
      .resolves({
        QueryExecution: {
          Status: {
            State: "FAILED",
            StateChangeReason: "line 1:8: Column 'nope' cannot be resolved",
            AthenaError: {
              ErrorCategory: 2,
              ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
            },
          },
        },
      });
    await expect(
      runAthenaQuery({
        athena,
        region: "eu-west-1",
        workgroup: "w",
        database: "d",
        sql: "SELECT nope FROM songs_data",
        sleep: async () => {},
      }),
    ).rejects.toThrow("Query failed: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved");
    expect(athenaMock.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});

describe("Function: queryCostUsd", () => {
  it("bills at least 10 MB a query at USD 5 per TB", () => {
    expect(queryCostUsd(0)).toBe(0);
    expect(queryCostUsd(1024)).toBe(queryCostUsd(10 * 1024 * 1024));
    expect(queryCostUsd(1024 ** 4)).toBe(5);
    expect(formatUsd(queryCostUsd(1024))).toBe("$0.000048");
    expect(formatBytes(52_428_800)).toBe("50.0 MB");
  });
});

describe("Function: formatRows", () => {
  const columns = ["name", "n"];
  const rows = [
    { name: 'Rock, "loud"\nand long', n: "3" },
    { name: null, n: "0" },
  ];

  it("prints an aligned table with NULLs and one line per row", () => {
    expect(formatRows(columns, rows, "table").split("\n")).toEqual([
      "name                  │ n",
      "──────────────────────┼──",
      'Rock, "loud"⏎and long │ 3',
      "NULL                  │ 0",
      "(2 rows)",
    ]);
  });

  it("writes RFC 4180 CSV and JSON in column order", () => {
    expect(formatRows(columns, rows, "csv")).toBe('name,n\r\n"Rock, ""loud""\nand long",3\r\n,0');
    expect(JSON.parse(formatRows(["n", "name"], rows, "json"))).toEqual([
      { n: "3", name: 'Rock, "loud"\nand long' },
      { n: "0", name: null },
    ]);
    expect(Object.keys(JSON.parse(formatRows(["n", "name"], rows, "json"))[0])).toEqual([
      "n",
      "name",
    ]);
  });
});
