// Which deployed stack a command talks to: the stage's region (infra/stages/<stage>.json) and
// the ARNs and names the stack exports as Terraform outputs (infra/stack.ts). The outputs come
// from an explicit option first, then an outputs file (`terraform output -json`, or cdktf's
// `deploy --outputs-file`), then `terraform output -json` in the stack's folder, where
// `npm run deploy` ran. A stack that was never deployed from here says so and what to do.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadStageConfig } from "../../infra/config";
import { OpsError } from "../errors";

// Not imported from infra/stack.ts and infra/bundle.ts, which load cdktf and esbuild: the CLI
// starts in a fraction of that time (test/ops/stack.test.ts checks both agree).
const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** `spotify-lake-<stage>`, as infra/stack.ts names a stage's stack. */
export const stackNameOf = (stage: string) => `spotify-lake-${stage}`;

/** The outputs the CLI uses, by their Terraform names (infra/stack.ts). */
export const OUTPUT_NAMES = {
  stateMachineArn: "state_machine_arn",
  workgroup: "athena_workgroup_name",
  database: "glue_database_name",
  secretArn: "spotify_secret_arn",
} as const;

export type StackOutputKey = keyof typeof OUTPUT_NAMES;

export interface StackTarget {
  stage: string;
  stackName: string;
  region: string;
  /** The stage's default playlists (a doctor checks these). */
  playlists: readonly string[];
  appMode: "development" | "extended";
  /** An output, or an OpsError naming the option that gives it. */
  output(key: StackOutputKey): string;
}

export interface StackOptions {
  stage: string;
  region?: string;
  /** A file holding the outputs (`terraform output -json` or cdktf's outputs file). */
  outputsFile?: string;
  /** Explicit values, e.g. from --state-machine-arn. */
  overrides?: Partial<Record<StackOutputKey, string>>;
  /** Reads `terraform output -json` in a folder; replaced in tests. */
  terraformOutputs?: (dir: string) => unknown;
}

/** The option that gives each output explicitly. */
export const OVERRIDE_OPTIONS: Record<StackOutputKey, string> = {
  stateMachineArn: "--state-machine-arn",
  workgroup: "--workgroup",
  database: "--database",
  secretArn: "--secret-id",
};

function runTerraformOutput(dir: string): unknown {
  const result = spawnSync("terraform", ["output", "-json"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
  });
  if (result.error) {
    throw new OpsError(
      `cannot read the stack's outputs: terraform is not on the PATH (${result.error.message}). ` +
        "Install it, or pass --outputs <file> or the values themselves (--state-machine-arn, ...).",
    );
  }
  if (result.status !== 0) {
    throw new OpsError(
      `\`terraform output -json\` failed in ${dir}: ${result.stderr.trim().split("\n")[0]}`,
    );
  }
  return JSON.parse(result.stdout) as unknown;
}

/** Flattens `{name: {value}}` (terraform) or `{stack: {name: value}}` (cdktf) to name → value. */
export function parseOutputs(raw: unknown, stackName: string): Record<string, string> {
  if (!raw || typeof raw !== "object") return {};
  const record = raw as Record<string, unknown>;
  const nested = record[stackName];
  const source =
    nested && typeof nested === "object" ? (nested as Record<string, unknown>) : record;
  const outputs: Record<string, string> = {};
  for (const [name, entry] of Object.entries(source)) {
    const value =
      entry && typeof entry === "object" && "value" in entry
        ? (entry as { value: unknown }).value
        : entry;
    if (typeof value === "string") outputs[name] = value;
  }
  return outputs;
}

function loadOutputs(options: StackOptions, stackName: string): () => Record<string, string> {
  let cached: Record<string, string> | undefined;
  return () => {
    if (cached) return cached;
    if (options.outputsFile) {
      if (!existsSync(options.outputsFile)) {
        throw new OpsError(`--outputs: no such file ${options.outputsFile}`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(options.outputsFile, "utf8"));
      } catch (error) {
        throw new OpsError(
          `--outputs ${options.outputsFile} is not JSON: ${(error as Error).message}`,
        );
      }
      cached = parseOutputs(raw, stackName);
      return cached;
    }
    const dir = path.join(REPO_ROOT, "cdktf.out", "stacks", stackName);
    if (!existsSync(path.join(dir, ".terraform"))) {
      throw new OpsError(
        `stack ${stackName} is not deployed from this clone (no ${path.relative(REPO_ROOT, dir)}/.terraform): ` +
          `deploy it (STAGES=${stackName.replace(/^spotify-lake-/, "")} npm run deploy), or pass --outputs <file>, ` +
          "or the values themselves (--state-machine-arn, --workgroup, --database, --secret-id).",
      );
    }
    cached = parseOutputs((options.terraformOutputs ?? runTerraformOutput)(dir), stackName);
    return cached;
  };
}

export function resolveStack(options: StackOptions): StackTarget {
  let config;
  try {
    config = loadStageConfig(options.stage);
  } catch (error) {
    throw new OpsError((error as Error).message, { cause: error });
  }
  const stackName = stackNameOf(config.stage);
  const outputs = loadOutputs(options, stackName);
  return {
    stage: config.stage,
    stackName,
    region: options.region ?? config.region,
    playlists: config.playlists,
    appMode: config.spotifyAppMode,
    output(key) {
      const explicit = options.overrides?.[key];
      if (explicit) return explicit;
      const all = outputs();
      const value = all[OUTPUT_NAMES[key]];
      if (value) return value;
      throw new OpsError(
        Object.keys(all).length === 0
          ? `stack ${stackName} has no outputs: it is not deployed (or its state is elsewhere). ` +
              `Deploy it, or pass ${OVERRIDE_OPTIONS[key]}.`
          : `stack ${stackName} has no output ${OUTPUT_NAMES[key]} (deployed from an older ` +
              `version?): deploy again, or pass ${OVERRIDE_OPTIONS[key]}.`,
      );
    },
  };
}
