// What the operations CLI's verbs share: the --stage/--local choice and the options naming
// the stack's resources, the local pipeline's options, option parsing, and handing a verb's
// options over to a local command as argv.

import { Command } from "commander";
import { resolve } from "node:path";
import { type RunMode } from "./aws/executions";
import { awsTarget, type AwsTarget, type StackFlags } from "./clients";
import { OpsError } from "./errors";

export type Flags = Record<string, unknown>;
export const log = (line: string) => console.log(line);

/** --stage and the options that name the stack's resources, added to an AWS-capable verb. */
export function withStack(command: Command, resources: (keyof typeof RESOURCE_OPTIONS)[]): Command {
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
export function stageOf(flags: Flags): AwsTarget | undefined {
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

export function requireStage(flags: Flags, verb: string): AwsTarget {
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
export function givenArgv(command: Command, except: string[]): string[] {
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

export const STACK_KEYS = [
  "stage",
  "local",
  "region",
  "outputs",
  "stateMachineArn",
  "workgroup",
  "database",
  "secretId",
];

export function modeOf(value: unknown): RunMode {
  if (value === undefined || value === "full" || value === "reprocess")
    return (value ?? "full") as RunMode;
  throw new OpsError(`--mode must be full or reprocess, got ${JSON.stringify(value)}`);
}

export const playlistsOf = (value: unknown): string[] | undefined =>
  typeof value === "string" ? value.split(",").map((s) => s.trim()) : undefined;

/** The local target options of npm start, also taken by a local backfill. */
export function withSpotifyTarget(command: Command): Command {
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
export function positiveInteger(value: unknown, option: string): number {
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

export const dataDirOf = (flags: Flags) =>
  resolve(String(flags.dataDir ?? process.env.SPOTIFY_LAKE_DATA_DIR ?? ".local"));

/** Wraps an action so that its exit code survives commander, which drops the result. */
export type Act = <A extends unknown[]>(
  action: (...args: A) => Promise<number>,
) => (...args: A) => Promise<void>;
