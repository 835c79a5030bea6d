// Helpers of the infrastructure tests: synthesize a stage into a folder the tests own,
// and walk every IAM/KMS/S3/SQS policy document of a synthesized stack.

import { Testing } from "cdktf";
import { inject } from "vitest";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { bundleFunctions, REPO_ROOT, type FunctionBundle } from "../../infra/bundle";
import { parseStageConfig, type StageConfig } from "../../infra/config";
import { PIPELINE_STEP_NAMES } from "../../statemachine/pipeline";
import { SpotifyLakeStack, stackNameOf } from "../../infra/stack";

export type Synth = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
};

/** A per-test-file scratch folder under .local/ (git-ignored); `cleanup` removes it. */
export function scratchFolder(label: string): { dir: string; cleanup: () => void } {
  const parent = path.join(REPO_ROOT, ".local", "test-infra");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${label}-`));
  // Testing.app() and Testing.fullSynth() create their outdirs under os.tmpdir().
  const previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return {
    dir,
    cleanup: () => {
      if (previousTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previousTmpdir;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A realistic dev stage; override any setting. */
export function stageConfig(overrides: Record<string, unknown> = {}): StageConfig {
  return parseStageConfig(
    {
      stage: "test",
      region: "eu-west-1",
      playlists: ["3cEYpjA9oz9GiPac4AsH4n", "6rqhFgbbKwnb9MLmUQDhG6"],
      schedule: "rate(1 hour)",
      alertEmail: "data-alerts@example.com",
      logRetentionDays: 14,
      athenaBytesScannedCutoff: 1073741824,
      athenaResultsRetentionDays: 7,
      backend: { type: "local", path: "terraform.spotify-lake-test.tfstate" },
      ...overrides,
    },
    "test stage",
  );
}

/** Bundles the six functions into `dir`, failing with the missing entry points named. */
export function bundlesIn(dir: string): FunctionBundle[] {
  return bundleFunctions(PIPELINE_STEP_NAMES, { outDir: dir });
}

/**
 * The six bundles, built once per `vitest run` for every infrastructure test file that only
 * synthesizes with them (bundling is most of a synth's time): the first file to ask builds
 * them into the run's shared folder (test/support/global-setup.ts), the others wait for its
 * record. Bundling itself (named errors, reproducible bytes) is tested with bundles of its own.
 */
export async function sharedBundles(): Promise<FunctionBundle[]> {
  const root = inject("sharedBuildDir");
  const record = path.join(root, "bundles.json");
  try {
    mkdirSync(path.join(root, "bundles"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return awaitRecord(record);
  }
  let outcome: { bundles: FunctionBundle[] } | { error: string };
  try {
    outcome = { bundles: bundlesIn(path.join(root, "bundles")) };
  } catch (error) {
    outcome = { error: String((error as Error).message) };
  }
  writeFileSync(`${record}.tmp`, JSON.stringify(outcome));
  renameSync(`${record}.tmp`, record);
  if ("error" in outcome) throw new Error(outcome.error);
  return outcome.bundles;
}

/** Waits for the builder's record (bundling takes seconds; a minute means it died). */
async function awaitRecord(record: string): Promise<FunctionBundle[]> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(record)) {
    if (Date.now() > deadline) throw new Error(`no shared bundles after a minute: ${record}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const outcome = JSON.parse(readFileSync(record, "utf8")) as
    { bundles: FunctionBundle[] } | { error: string };
  if ("error" in outcome) throw new Error(`the shared bundles failed: ${outcome.error}`);
  return outcome.bundles;
}

/** Stack options of a test: another definition template (e.g. test/infra/distributed-definition.ts). */
export interface StackOptions {
  readonly definitionFile?: string;
}

export function buildStack(
  config: StageConfig,
  bundles: readonly FunctionBundle[],
  options: StackOptions = {},
) {
  const app = Testing.app();
  return new SpotifyLakeStack(app, stackNameOf(config.stage), { config, bundles, ...options });
}

export function synthStage(
  config: StageConfig,
  bundles: readonly FunctionBundle[],
  options: StackOptions = {},
): Synth {
  return JSON.parse(Testing.synth(buildStack(config, bundles, options))) as Synth;
}

/** The resources of one type, by logical id ({} when there is none). */
export function resourcesOf(synth: Synth, type: string): Record<string, Record<string, unknown>> {
  return synth.resource[type] ?? {};
}

export function onlyResource(synth: Synth, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(synth, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface FoundPolicy {
  /** `<resource type>.<logical id>.<attribute>` */
  where: string;
  kind: "identity" | "trust" | "key" | "resource";
  statements: Statement[];
}

const POLICY_ATTRIBUTES: Record<string, FoundPolicy["kind"]> = {
  policy: "identity",
  assume_role_policy: "trust",
};

/** Every policy document of the synth, found by walking all resources' JSON attributes. */
export function policyDocuments(synth: Synth): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const [type, resources] of Object.entries(synth.resource)) {
    for (const [id, resource] of Object.entries(resources)) {
      for (const [attribute, value] of Object.entries(resource)) {
        if (typeof value !== "string" || !value.includes('"Statement"')) continue;
        const document = JSON.parse(value) as { Statement: Statement | Statement[] };
        let kind = POLICY_ATTRIBUTES[attribute] ?? "resource";
        if (type === "aws_kms_key") kind = "key";
        else if (type !== "aws_iam_role_policy" && type !== "aws_iam_role") kind = "resource";
        found.push({
          where: `${type}.${id}.${attribute}`,
          kind,
          statements: ([] as Statement[]).concat(document.Statement),
        });
      }
    }
  }
  return found;
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : ([] as string[]).concat(value);
