// The query verb: Athena in the stage's workgroup, or DuckDB over the local catalog; printed
// as a table, CSV or JSON, with the bytes scanned and their cost on stderr.

import { Command } from "commander";
import { existsSync } from "node:fs";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { runAthenaQuery } from "../aws/athena-query";
import { OpsError } from "../errors";
import { formatBytes, formatRows, formatUsd, type OutputFormat } from "../format";
import {
  type Act,
  type Flags,
  dataDirOf,
  log,
  positiveInteger,
  stageOf,
  withStack,
} from "../command-options";

export function addQueryCommand(program: Command, act: Act): void {
  withStack(
    program
      .command("query")
      .description("run SQL (Athena with --stage, DuckDB locally) and print the rows")
      .argument("<sql...>", "the statement (quote it)"),
    ["workgroup", "database"],
  )
    .option("--csv", "CSV instead of a table")
    .option("--json", "JSON instead of a table")
    .option("--max-rows <n>", "stop after this many rows (default 10000)", "10000")
    .option("--data-dir <folder>", "the local lake (default: .local)")
    .action(
      act(async (words: string[], flags: Flags) => {
        if (flags.csv && flags.json) throw new OpsError("--csv and --json exclude each other");
        const format: OutputFormat = flags.csv ? "csv" : flags.json ? "json" : "table";
        const sql = words.join(" ").trim();
        if (!sql) throw new OpsError('give the SQL: query "SELECT ..."');
        const maxRows = positiveInteger(flags.maxRows, "--max-rows");
        const target = stageOf(flags);
        if (!target) {
          const { catalog } = localPaths(dataDirOf(flags));
          if (!existsSync(catalog)) {
            throw new OpsError(`No local catalog at ${catalog}: run \`npm start\` first.`);
          }
          let result;
          try {
            result = await runSql(catalog, sql);
          } catch (error) {
            throw new OpsError(`Query failed: ${(error as Error).message}`);
          }
          log(formatRows(result.columns, result.rows.slice(0, maxRows), format));
          if (result.rows.length > maxRows)
            console.error(`(first ${maxRows} of ${result.rows.length} rows)`);
          return 0;
        }
        const result = await runAthenaQuery({
          athena: target.athena(),
          region: target.stack.region,
          workgroup: target.stack.output("workgroup"),
          database: target.stack.output("database"),
          sql,
          maxRows,
        });
        log(formatRows(result.columns, result.rows, format));
        // On stderr, so --csv and --json output stays machine-readable.
        console.error(
          `${result.truncated ? `(first ${maxRows} rows) ` : ""}Scanned ${formatBytes(result.bytesScanned)}, ` +
            `about ${formatUsd(result.costUsd)} (query ${result.queryExecutionId})`,
        );
        return 0;
      }),
    );
}
