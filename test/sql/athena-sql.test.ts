// Every statement the pipeline and its saved queries send to Athena, checked against Trino's
// grammar (Athena engine 3 is Trino) and against the functions Athena has: locally they run
// on DuckDB, which accepts much that Athena refuses (QUALIFY, list_* functions, ...). The chart
// views are here as their saved CREATE OR REPLACE VIEW queries.

import { TrinoSQL } from "dt-sql-parser";
import { describe, expect, it } from "vitest";
import { snapshotHourOf } from "../../functions/commons/snapshot";
import { buildCheckQueries } from "../../functions/core/validate/checks";
import { PIPELINE_NAMED_QUERIES } from "../../infra/named-queries";

/**
 * Functions the statements may call: each exists in Athena engine 3 (Trino's function
 * list). A statement that needs another adds it here after checking the Athena docs.
 */
const ATHENA_FUNCTIONS = new Set([
  "count",
  "sum",
  "min",
  "max",
  "avg",
  "coalesce",
  "cardinality",
  "length",
  "regexp_like",
  "date_parse",
  "try",
  "cast",
  "try_cast",
  "array_join",
  "contains",
  "any_match",
  "filter",
  "transform",
  "element_at",
  "greatest",
  "least",
  "abs",
  "round",
  "if",
  "nullif",
  "lower",
  "upper",
  "trim",
  "substr",
  "concat",
  "split",
  "row_number",
  "lag",
  "lead",
  "count_if",
  "bool_or",
  "bool_and",
  "array_distinct",
  "unnest",
]);

const ROWS = { songs_data: 10, albums_data: 3, artists_data: 4, playlists_data: 2 };
const statements = [
  ...buildCheckQueries(snapshotHourOf(new Date("2026-11-22T05:00:00Z")), ROWS).map((q) => ({
    name: `check ${q.name}`,
    sql: q.sql,
  })),
  ...PIPELINE_NAMED_QUERIES.map((q) => ({ name: `saved query ${q.name}`, sql: q.query })),
];
const trino = new TrinoSQL();

/** Names called like functions (`name(`), minus SQL keywords that take parentheses. */
function functionsCalled(sql: string): string[] {
  const withoutStrings = sql.replace(/'(?:[^']|'')*'/g, "''");
  const keywords = new Set([
    "as",
    "and",
    "or",
    "not",
    "from",
    "where",
    "select",
    "on",
    "values",
    "over",
    "join",
    "with",
    "exists",
    "in",
  ]);
  // `AS t(x)` names an alias's columns: not a call.
  return [...withoutStrings.matchAll(/(?<!\bas\s+)\b([a-z_][a-z0-9_]*)\s*\(/gi)]
    .map((m) => m[1]!.toLowerCase())
    .filter((name) => !keywords.has(name) && !/^(songs|albums|artists|playlists)_data$/.test(name));
}

describe("SQL sent to Athena", () => {
  it("covers every check and every saved query", () => {
    expect(statements.length).toBeGreaterThan(PIPELINE_NAMED_QUERIES.length);
  });

  it.each(statements)("$name parses with Trino's grammar", ({ sql }) => {
    expect(trino.validate(sql.replace(/;\s*$/, ""))).toEqual([]);
  });

  it.each(statements)("$name calls only functions Athena has", ({ sql }) => {
    const unknown = functionsCalled(sql).filter((name) => !ATHENA_FUNCTIONS.has(name));
    expect(unknown).toEqual([]);
  });

  it("would catch DuckDB-only syntax and functions", () => {
    expect(trino.validate("SELECT * FROM songs_data QUALIFY row_number() OVER () = 1")).not.toEqual(
      [],
    );
    expect(functionsCalled("SELECT list_contains(genres, 'x') FROM artists_data")).toEqual([
      "list_contains",
    ]);
  });
});
