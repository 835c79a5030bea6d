// The verbs on executions: start (locally: npm start), watch, runs and redrive.

import { Command, Option } from "commander";
import { runLocalCommand } from "../../local/cli";
import { readRunRecords, totalRows } from "../../local/run-records";
import { loadPipelineDefinition } from "../../statemachine/pipeline";
import { consoleLink, executionArnOf, recentRuns, startExecution } from "../aws/executions";
import { redriveExecution } from "../aws/redrive";
import { watchExecution, type ExecutionEnd } from "../aws/watch";
import { type AwsTarget } from "../clients";
import { runsTable, watchPrinter } from "../print";
import {
  type Act,
  type Flags,
  dataDirOf,
  givenArgv,
  log,
  modeOf,
  playlistsOf,
  positiveInteger,
  sinceOf,
  requireStage,
  stageOf,
  STACK_KEYS,
  withSpotifyTarget,
  withStack,
} from "../command-options";

/** The ARN of an execution the user named, under the stack's state machine. */
const executionOf = (target: AwsTarget, reference: string) =>
  executionArnOf(reference, target.stack.output("stateMachineArn"), target.stack.region);

/** The definition's top-level states: the lines watch prints. */
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

export function addExecutionCommands(program: Command, act: Act): void {
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
      const arn = executionOf(target, execution);
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
          const records = (await readRunRecords(dataDirOf(flags)))
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
                ...(totalRows(r) !== undefined ? { rows: totalRows(r)! } : {}),
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
        const arn = executionOf(target, execution);
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
}
