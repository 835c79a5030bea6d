// The operations CLI (`spotify-lake <verb>`, also `npm run <verb>`): the same verbs for the
// local pipeline and a deployed stage. `--stage <stage>` talks to that stack (its region and
// outputs: ops/clients.ts); without it (or with --local) a verb works on the local pipeline,
// handing over to the local commands (local/cli.ts) where they exist. This file only parses
// and prints; the work is in ops/aws, ops/backfill and the local modules.

import "../local/quiet-logs";
import { Command, CommanderError, Option } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { unavailablePlaylistsPolicy } from "../functions/commons/config";
import { runSql } from "../local/adapters/duckdb-query-engine";
import { runLocalCommand } from "../local/cli";
import { localPaths } from "../local/local-pipeline";
import { readLocalRuns } from "../local/run-records";
import { spotifyTargetOrExit } from "../local/spotify-target";
import { startSpotifyEmulator } from "../local/spotify-emulator/server";
import { loadPipelineDefinition } from "../statemachine/pipeline";
import { runAthenaQuery } from "./aws/athena-query";
import {
  consoleLink,
  executionArnOf,
  recentRuns,
  startExecution,
  type RunMode,
} from "./aws/executions";
import { redriveExecution } from "./aws/redrive";
import { authorizeIntoSecret, doctorWithSecret } from "./aws/spotify-secret";
import { watchExecution, type ExecutionEnd } from "./aws/watch";
import { awsBackfillRunner } from "./backfill/aws-runner";
import { backfill, type BackfillRunner } from "./backfill/engine";
import { localBackfillRunner } from "./backfill/local-runner";
import { awsTarget, type AwsTarget, type StackFlags } from "./clients";
import { OpsError } from "./errors";
import { formatBytes, formatRows, formatUsd, type OutputFormat } from "./format";
import { backfillProgressPrinter, outcomesTable, runsTable, watchPrinter } from "./print";

type Flags = Record<string, unknown>;
const log = (line: string) => console.log(line);

/** --stage and the options that name the stack's resources, added to an AWS-capable verb. */
function withStack(command: Command, resources: (keyof typeof RESOURCE_OPTIONS)[]): Command {
  command
    .option("--stage <stage>", "the deployed stage (infra/stages/<stage>.json) to talk to")
    .option("--local", "the local pipeline (the default without --stage)")
    .option("--region <region>", "AWS region (default: the stage's)")
    .option("--outputs <file>", "the stack's outputs as JSON (terraform output -json)");
  for (const resource of resources) {
    const [flags, description] = RESOURCE_OPTIONS[resource];
    command.option(flags, description);
  }
  return command;
}

const RESOURCE_OPTIONS = {
  stateMachineArn: ["--state-machine-arn <arn>", "the state machine (default: the stack's output)"],
  workgroup: ["--workgroup <name>", "the Athena workgroup (default: the stack's output)"],
  database: ["--database <name>", "the Glue database (default: the stack's output)"],
  secretId: ["--secret-id <arn>", "the Spotify secret (default: the stack's output)"],
} as const;

/** Options of the local pipeline, refused with --stage rather than silently ignored. */
const LOCAL_ONLY: Record<string, string> = {
  replay: "--replay",
  live: "--live",
  extendedQuota: "--extended-quota",
  credentials: "--credentials",
  unavailablePlaylists: "--unavailable-playlists",
  dataDir: "--data-dir",
  record: "--record",
  verbose: "--verbose",
};

/** The stage target, or undefined for the local pipeline; refuses both at once. */
function stageOf(flags: Flags): AwsTarget | undefined {
  if (flags.stage && flags.local) throw new OpsError("--stage and --local exclude each other");
  if (!flags.stage) return undefined;
  const localOnly = Object.entries(LOCAL_ONLY).find(([key]) => flags[key] !== undefined);
  if (localOnly) {
    throw new OpsError(
      `${localOnly[1]} works on the local pipeline only: leave it out with --stage`,
    );
  }
  return awsTarget(flags as unknown as StackFlags);
}

function requireStage(flags: Flags, verb: string): AwsTarget {
  const target = stageOf(flags);
  if (!target) {
    throw new OpsError(
      `${verb} follows executions of a deployed stage: pass --stage <stage> (a local run ` +
        "reports its states as it goes, and a failed one is simply run again).",
    );
  }
  return target;
}

/** The options given on the command line, as argv again: what a local command is handed. */
function givenArgv(command: Command, except: string[]): string[] {
  const argv: string[] = [];
  for (const option of command.options) {
    const key = option.attributeName();
    if (except.includes(key) || command.getOptionValueSource(key) !== "cli") continue;
    const value = command.getOptionValue(key) as unknown;
    if (option.negate || value === true) argv.push(option.long!);
    else if (value !== false) argv.push(option.long!, String(value));
  }
  return argv;
}

const STACK_KEYS = [
  "stage",
  "local",
  "region",
  "outputs",
  "stateMachineArn",
  "workgroup",
  "database",
  "secretId",
];

function modeOf(value: unknown): RunMode {
  if (value === undefined || value === "full" || value === "reprocess")
    return (value ?? "full") as RunMode;
  throw new OpsError(`--mode must be full or reprocess, got ${JSON.stringify(value)}`);
}

const playlistsOf = (value: unknown): string[] | undefined =>
  typeof value === "string" ? value.split(",").map((s) => s.trim()) : undefined;

function topLevelStates(): Set<string> {
  return new Set(Object.keys(loadPipelineDefinition().States));
}

async function follow(target: AwsTarget, executionArn: string, minRedrives = 0): Promise<number> {
  log(`Watching ${executionArn}`);
  const end: ExecutionEnd = await watchExecution({
    sfn: target.sfn(),
    region: target.stack.region,
    executionArn,
    topLevelStates: topLevelStates(),
    onEvent: watchPrinter(log),
    minRedrives,
  });
  return end.status === "SUCCEEDED" ? 0 : 1;
}

/** The local target options of npm start, also taken by a local backfill. */
function withSpotifyTarget(command: Command): Command {
  return command
    .option("--replay <folder>", "serve recorded Spotify responses (local)")
    .option("--live", "call the real Spotify API (local; credentials as for npm start)")
    .option("--extended-quota", "emulate an extended-quota app (local)")
    .option("--credentials <file>", "the credentials file (local)")
    .option(
      "--unavailable-playlists <policy>",
      "fail|warn: after recording a refused playlist (local)",
    )
    .option("--data-dir <folder>", "where the local lake lives (default: .local)");
}

export function buildProgram(exit: { code: number } = { code: 0 }): Command {
  /** Commander drops an action's result: keep its exit code. */
  const act =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exit.code = await action(...args);
    };
  const program = new Command("spotify-lake")
    .description(
      "Operate the pipeline: the same verbs for the local pipeline and a deployed stage (--stage).",
    )
    .showHelpAfterError()
    .exitOverride();

  const start = withSpotifyTarget(
    withStack(program.command("start").description("start a run of one snapshot hour"), [
      "stateMachineArn",
    ]),
  )
    .option("--snapshot <hour>", "snapshot hour, ISO (default: the current hour)")
    .option("--playlists <ids>", "comma-separated playlist ids (default: the stage's)")
    .option("--mode <mode>", "full or reprocess (rebuild the tables from stored raw data)")
    .option("--watch", "follow the execution until it ends (AWS)")
    .option("--record <folder>", "record every Spotify response (local)")
    .option("--verbose", "show the handlers' JSON logs (local)");
  start.action(
    act(async (flags: Flags) => {
      const target = stageOf(flags);
      if (!target) return runLocalCommand("run", givenArgv(start, [...STACK_KEYS, "watch"]));
      const stateMachineArn = target.stack.output("stateMachineArn");
      const started = await startExecution(target.sfn(), target.stack.region, stateMachineArn, {
        ...(flags.snapshot ? { snapshot: String(flags.snapshot) } : {}),
        ...(playlistsOf(flags.playlists) ? { playlists: playlistsOf(flags.playlists)! } : {}),
        mode: modeOf(flags.mode),
      });
      log(`Started ${started.name} (snapshot ${started.snapshot}) on ${target.stack.stackName}`);
      log(`  ${consoleLink(started.executionArn)}`);
      if (!flags.watch) {
        log(`Follow it: spotify-lake watch --stage ${target.stack.stage} ${started.name}`);
        return 0;
      }
      return follow(target, started.executionArn);
    }),
  );

  withStack(
    program
      .command("watch")
      .description("follow an execution live; exit 1 when it fails")
      .argument("<execution>", "execution name or ARN"),
    ["stateMachineArn"],
  ).action(
    act(async (execution: string, flags: Flags) => {
      const target = requireStage(flags, "watch");
      const arn = executionArnOf(
        execution,
        target.stack.output("stateMachineArn"),
        target.stack.region,
      );
      return follow(target, arn);
    }),
  );

  withStack(program.command("runs").description("recent runs: snapshot, status, duration, rows"), [
    "stateMachineArn",
  ])
    .addOption(
      new Option("--status <status>", "only these").choices([
        "running",
        "succeeded",
        "failed",
        "timed_out",
        "aborted",
      ]),
    )
    .option("--since <time>", "started at or after (ISO time, or e.g. 24h, 7d)")
    .option("--limit <n>", "at most this many (default 20)", "20")
    .option("--data-dir <folder>", "the local lake (default: .local)")
    .action(
      act(async (flags: Flags) => {
        const limit = positiveInteger(flags.limit, "--limit");
        const since = flags.since ? sinceOf(String(flags.since)) : undefined;
        const status = flags.status ? String(flags.status).toUpperCase() : undefined;
        const target = stageOf(flags);
        if (!target) {
          const records = (await readLocalRuns(dataDirOf(flags)))
            .filter((r) => !status || r.status === status)
            .filter((r) => !since || new Date(r.startedAt) >= since)
            .slice(0, limit);
          log(
            runsTable(
              records.map((r) => ({
                name: r.executionName,
                executionArn: "",
                status: r.status,
                ...(r.snapshot ? { snapshot: r.snapshot } : {}),
                mode: r.mode,
                startDate: new Date(r.startedAt),
                durationMs: r.durationMs,
                ...(r.rows !== undefined ? { rows: r.rows } : {}),
              })),
            ),
          );
          return 0;
        }
        const runs = await recentRuns(
          target.sfn(),
          target.stack.region,
          target.stack.output("stateMachineArn"),
          { limit, ...(since ? { since } : {}), ...(status ? { status: status as never } : {}) },
        );
        log(runsTable(runs));
        return 0;
      }),
    );

  const backfillCommand = withSpotifyTarget(
    withStack(
      program
        .command("backfill")
        .description("one run per hour from --from to --to, skipping hours that already succeeded"),
      ["stateMachineArn"],
    ),
  )
    .requiredOption("--from <hour>", "first snapshot hour (ISO, e.g. 2026-11-22T00:00:00Z)")
    .requiredOption("--to <hour>", "last snapshot hour, included")
    .option("--concurrency <n>", "runs at a time (default: 1 local, 4 on AWS)")
    .option("--mode <mode>", "full or reprocess")
    .option("--playlists <ids>", "comma-separated playlist ids");
  backfillCommand.action(
    act(async (flags: Flags) => {
      const mode = modeOf(flags.mode);
      const playlists = playlistsOf(flags.playlists);
      const target = stageOf(flags);
      const concurrency = positiveInteger(flags.concurrency ?? (target ? 4 : 1), "--concurrency");
      let runner: BackfillRunner;
      let close = async () => {};
      if (target) {
        runner = awsBackfillRunner({
          sfn: target.sfn(),
          region: target.stack.region,
          stateMachineArn: target.stack.output("stateMachineArn"),
          mode,
          ...(playlists ? { playlists } : {}),
        });
        log(`Backfill on ${target.stack.stackName}, ${concurrency} at a time`);
      } else {
        const spotify = await spotifyTargetOrExit(flags as never);
        if (typeof spotify === "number") return spotify;
        close = () => spotify.close();
        if (!spotify.defaultPlaylists && !playlists) {
          await close();
          throw new OpsError("a backfill over --replay needs --playlists (the recording's ids)");
        }
        const dataDir = dataDirOf(flags);
        runner = localBackfillRunner({
          dataDir,
          mode,
          ...(playlists ? { playlists } : {}),
          spotify: spotify.spotify,
          defaultPlaylists: spotify.defaultPlaylists ?? playlists!,
          ...(flags.unavailablePlaylists
            ? {
                unavailablePlaylists: unavailablePlaylistsPolicy(
                  String(flags.unavailablePlaylists),
                  "--unavailable-playlists",
                ),
              }
            : {}),
          ...(spotify.credentialsStore ? { credentialsStore: spotify.credentialsStore } : {}),
        });
        log(`${spotify.label}\nBackfill into ${dataDir}, ${concurrency} at a time`);
      }
      const tty = process.stdout.isTTY;
      try {
        const outcomes = await backfill({
          from: String(flags.from),
          to: String(flags.to),
          concurrency,
          runner,
          onProgress: backfillProgressPrinter(
            log,
            tty ? (line) => process.stdout.write(`\r${line}`) : undefined,
          ),
        });
        if (tty) process.stdout.write("\n");
        log("");
        log(outcomesTable(outcomes));
        return outcomes.some((o) => o.status === "FAILED") ? 1 : 0;
      } finally {
        await close();
      }
    }),
  );

  withStack(
    program
      .command("redrive")
      .description("redrive a failed execution from the state that failed, then watch it")
      .argument("<execution>", "execution name or ARN"),
    ["stateMachineArn"],
  )
    .option("--no-watch", "return once the redrive is accepted")
    .action(
      act(async (execution: string, flags: Flags) => {
        const target = requireStage(flags, "redrive");
        const arn = executionArnOf(
          execution,
          target.stack.output("stateMachineArn"),
          target.stack.region,
        );
        const redriven = await redriveExecution(
          target.sfn(),
          target.stack.region,
          arn,
          target.stack.stage,
        );
        log(`Redriven ${arn}`);
        log(`  ${consoleLink(arn)}`);
        return flags.watch === false ? 0 : follow(target, arn, redriven.previousRedrives + 1);
      }),
    );

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

  const authorizeCommand = withStack(
    program
      .command("authorize")
      .description(
        "authorize this app with your Spotify account (into the stage's secret with --stage)",
      ),
    ["secretId"],
  )
    .option("--port <n>", "loopback port of the redirect URI (default 8888)")
    .option("--redirect-uri <uri>", "the full redirect URI (http://127.0.0.1:<port>/<path>)")
    .option("--credentials <file>", "the credentials file (local)")
    .option("--timeout <seconds>", "how long to wait for the consent (default 300)")
    .option("--no-browser", "only print the URL")
    .option("--accounts-url <url>", "the accounts service (default https://accounts.spotify.com)")
    .option("--emulator", "authorize against a local emulator (its scripted user consents)");
  authorizeCommand.action(
    act(async (flags: Flags) => {
      const target = stageOf(flags);
      if (!target) return runLocalCommand("authorize", givenArgv(authorizeCommand, STACK_KEYS));
      const secretId = target.stack.output("secretArn");
      const port = positiveInteger(flags.port ?? "8888", "--port");
      const timeoutSeconds = positiveInteger(flags.timeout ?? "300", "--timeout");
      const emulator = flags.emulator ? await startSpotifyEmulator() : undefined;
      try {
        const clientId = emulator?.credentials.clientId ?? process.env.SPOTIFY_CLIENT_ID;
        const clientSecret =
          emulator?.credentials.clientSecret ?? process.env.SPOTIFY_CLIENT_SECRET;
        const stored = await authorizeIntoSecret({
          secrets: target.secrets(),
          region: target.stack.region,
          secretId,
          ...(clientId ? { clientId } : {}),
          ...(clientSecret ? { clientSecret } : {}),
          accountsBaseUrl:
            emulator?.accountsBaseUrl ??
            String(flags.accountsUrl ?? "https://accounts.spotify.com"),
          redirectUri: String(flags.redirectUri ?? `http://127.0.0.1:${port}/callback`),
          timeoutMs: timeoutSeconds * 1000,
          open: emulator ? async (url) => void (await fetch(url).catch(() => undefined)) : () => {},
          print: log,
        });
        log(
          `Authorized (${stored.clientSecret ? "client secret" : "PKCE"}; scopes ${stored.scopes?.join(" ")}).`,
        );
        log(`Stored in secret ${secretId}; the refresh token expires in 6 months.`);
        log(`Next: spotify-lake doctor --stage ${target.stack.stage}`);
        return 0;
      } finally {
        await emulator?.close();
      }
    }),
  );

  const doctorCommand = withSpotifyTarget(
    withStack(
      program
        .command("doctor")
        .description(
          "check which playlists this app can read, and why not (the secret's credentials with --stage)",
        ),
      ["secretId"],
    ),
  ).option("--playlists <ids>", "playlists to check (default: the stage's, or the sample's)");
  doctorCommand.action(
    act(async (flags: Flags) => {
      const target = stageOf(flags);
      if (!target) {
        return runLocalCommand(
          "doctor",
          givenArgv(doctorCommand, [...STACK_KEYS, "unavailablePlaylists", "dataDir"]),
        );
      }
      const report = await doctorWithSecret({
        secrets: target.secrets(),
        region: target.stack.region,
        secretId: target.stack.output("secretArn"),
        appMode: target.stack.appMode,
        playlists: playlistsOf(flags.playlists) ?? target.stack.playlists,
      });
      for (const line of report.lines) log(line);
      if (report.rotatedRefreshTokenStored)
        log("Spotify rotated the refresh token: the new one is stored in the secret.");
      return report.ok ? 0 : 1;
    }),
  );

  return program;
}

function positiveInteger(value: unknown, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new OpsError(`${option} must be a whole number of at least 1, got ${String(value)}`);
  return n;
}

/** An ISO time, or a span back from now: 90m, 24h, 7d. */
export function sinceOf(value: string, now = new Date()): Date {
  const span = /^(\d+)([mhd])$/.exec(value);
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as "m" | "h" | "d"];
    return new Date(now.getTime() - Number(span[1]) * unit);
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new OpsError(`--since must be an ISO time or a span such as 24h or 7d, got ${value}`);
  return at;
}

const dataDirOf = (flags: Flags) =>
  resolve(String(flags.dataDir ?? process.env.SPOTIFY_LAKE_DATA_DIR ?? ".local"));

/** Parses and runs; resolves to the exit code (2 for usage errors, 1 for failures). */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv, { from: "user" });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof OpsError || (error as Error).name === "InvalidInputError") {
      console.error((error as Error).message);
      return 1;
    }
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
