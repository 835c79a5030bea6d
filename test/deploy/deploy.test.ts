// A real `terraform apply` of every stage, offline: synthesize the stage, apply it to moto
// (the AWS provider's endpoints pointed at it), read back through the AWS SDK that every
// resource exists with the settings that matter, then `terraform destroy` and check that
// nothing is left. Run by `npm run test:deploy` (needs terraform, the provider mirror and
// python3 with moto; see the README), not by `npm test`.

import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { GetCrawlerCommand, GetTablesCommand, GlueClient } from "@aws-sdk/client-glue";
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { App } from "cdktf";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HISTORY_VIEWS } from "../../functions/core/history/views";
import { bundleFunctions, REPO_ROOT, type FunctionBundle } from "../../infra/bundle";
import {
  loadStageConfig,
  parseStageConfig,
  STAGES_DIR,
  type StageConfig,
} from "../../infra/config";
import { SpotifyLakeStack, stackNameOf } from "../../infra/stack";
import { PIPELINE_STEP_NAMES } from "../../statemachine/pipeline";
import { distributedDefinitionFile } from "../infra/distributed-definition";
import {
  MOTO_ACCOUNT,
  motoOverride,
  sdkConfig,
  startMoto,
  terraform,
  terraformTools,
  type Moto,
} from "./moto";

type SynthJson = { resource: Record<string, Record<string, Record<string, unknown>>> };

const tools = terraformTools();
const work = (() => {
  const parent = path.join(REPO_ROOT, ".local", "test-deploy");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(path.join(parent, "run-"));
})();
let moto: Moto;
let bundles: FunctionBundle[];

beforeAll(async () => {
  moto = await startMoto(path.join(work, "moto.log"));
  bundles = bundleFunctions(PIPELINE_STEP_NAMES, { outDir: path.join(work, "bundles") });
}, 120_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The shipped stage file; prod's state bucket (which it ships without) is named for the synth. */
function shippedStage(stage: string): StageConfig {
  if (stage !== "prod") return loadStageConfig(stage);
  const raw = JSON.parse(readFileSync(path.join(STAGES_DIR, "prod.json"), "utf8")) as {
    backend: Record<string, unknown>;
  };
  return parseStageConfig(
    { ...raw, backend: { ...raw.backend, bucket: "acme-terraform-state" } },
    "infra/stages/prod.json",
  );
}

function synthesize(
  config: StageConfig,
  definitionFile: string,
): { dir: string; synth: SynthJson } {
  const outdir = path.join(work, `cdktf-${config.stage}`);
  const app = new App({ outdir });
  new SpotifyLakeStack(app, stackNameOf(config.stage), { config, bundles, definitionFile });
  app.synth();
  const dir = path.join(outdir, "stacks", stackNameOf(config.stage));
  return {
    dir,
    synth: JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as SynthJson,
  };
}

const resourceCount = (synth: SynthJson) =>
  Object.values(synth.resource).reduce((n, byId) => n + Object.keys(byId).length, 0);

// ExtractPlaylists as a Distributed Map (issue 16), one child execution type per stage: moto
// 5.2.1 stores a definition as given (it parses ASL only to run it), so a Distributed Map and
// the role's grants for it apply like any other.
const CHILD_TYPES = { dev: "STANDARD", prod: "EXPRESS" } as const;

describe.each(["dev", "prod"] as const)("terraform apply of the %s stage against moto", (stage) => {
  const config = shippedStage(stage);
  const childType = CHILD_TYPES[stage];
  const prefix = `spotify-lake-${stage}`;
  let dir: string;
  let synth: SynthJson;
  let outputs: Record<string, { value: string }>;
  const timings: Record<string, number> = {};
  const s3 = () => new S3Client({ ...sdkConfig(moto.endpoint), forcePathStyle: true });
  const iam = () => new IAMClient(sdkConfig(moto.endpoint));

  beforeAll(async () => {
    await moto.reset();
    ({ dir, synth } = synthesize(config, distributedDefinitionFile(work, childType)));
    writeFileSync(
      path.join(dir, "moto_override.tf.json"),
      JSON.stringify(motoOverride(moto.endpoint)),
    );
    terraform(dir, ["init", "-input=false", `-plugin-dir=${tools.pluginDir}`]);
    const started = Date.now();
    terraform(dir, ["apply", "-auto-approve", "-input=false", "-parallelism=20"]);
    timings.apply = Date.now() - started;
    outputs = JSON.parse(terraform(dir, ["output", "-json"])) as typeof outputs;
  }, 480_000);

  it("creates every resource of the synthesized stack", () => {
    const listed = terraform(dir, ["state", "list"])
      .trim()
      .split("\n")
      .filter((line) => !line.startsWith("data."));
    expect(listed).toHaveLength(resourceCount(synth));
    console.log(
      `${stage}: ${listed.length} resources applied in ${(timings.apply! / 1000).toFixed(1)} s`,
    );
  });

  it("makes every bucket private, encrypted, TLS-only; versions raw and moves nothing to a colder class", async () => {
    const client = s3();
    for (const output of ["raw_bucket_name", "lake_bucket_name", "athena_results_bucket_name"]) {
      const Bucket = outputs[output]!.value;
      expect(Bucket).toMatch(new RegExp(`^${prefix}-.*-${MOTO_ACCOUNT}-eu-west-1$`));
      const policy = JSON.parse(
        (await client.send(new GetBucketPolicyCommand({ Bucket }))).Policy!,
      ) as {
        Statement: { Effect: string; Condition: unknown; Resource: string[] }[];
      };
      expect(policy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`],
        }),
      );
      const encryption = await client.send(new GetBucketEncryptionCommand({ Bucket }));
      expect(
        encryption.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: "AES256",
      });
      const block = await client.send(new GetPublicAccessBlockCommand({ Bucket }));
      expect(block.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      const lifecycle = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
      expect(JSON.stringify(lifecycle.Rules)).not.toContain("Transition");
    }
    const versioning = await client.send(
      new GetBucketVersioningCommand({ Bucket: outputs.raw_bucket_name!.value }),
    );
    expect(versioning.Status).toBe("Enabled");
  });

  it("attaches exactly the synthesized IAM policies, every ARN resolved to this account", async () => {
    const client = iam();
    const rolePolicies = Object.values(synth.resource.aws_iam_role_policy!);
    const roles = Object.values(synth.resource.aws_iam_role!);
    expect(rolePolicies.length).toBe(roles.length);
    for (const role of roles) {
      const RoleName = String(role.name);
      const found = await client.send(new GetRoleCommand({ RoleName }));
      const trust = JSON.parse(
        decodeURIComponent(found.Role!.AssumeRolePolicyDocument!),
      ) as unknown;
      expect(trust).toEqual(
        JSON.parse(String(role.assume_role_policy).replace(/\$\{[^}]+account_id\}/g, MOTO_ACCOUNT)),
      );
    }
    for (const policy of rolePolicies) {
      const roleName = roles.find((role) =>
        String(policy.role).includes(
          `.${Object.keys(synth.resource.aws_iam_role!).find((id) => synth.resource.aws_iam_role![id] === role)}.`,
        ),
      );
      const RoleName = String(roleName!.name);
      const attached = await client.send(
        new GetRolePolicyCommand({ RoleName, PolicyName: String(policy.name) }),
      );
      const document = decodeURIComponent(attached.PolicyDocument!);
      expect(document).not.toContain("${");
      const parsed = JSON.parse(document) as {
        Statement: { Sid: string; Action: string[]; Resource?: string[] }[];
      };
      const template = JSON.parse(String(policy.policy)) as typeof parsed;
      expect(parsed.Statement.map((s) => [s.Sid, s.Action])).toEqual(
        template.Statement.map((s) => [s.Sid, s.Action]),
      );
      for (const resource of parsed.Statement.flatMap((s) => s.Resource ?? [])) {
        expect(resource === "*" || resource.startsWith("arn:aws:"), resource).toBe(true);
        if (/^arn:aws:(glue|states|lambda|sqs|logs|secretsmanager):/.test(resource)) {
          expect(resource, resource).toContain(`:${MOTO_ACCOUNT}:`);
        }
      }
    }
  });

  it("deploys the state machine definition with its timeout and the six functions' ARNs", async () => {
    const sfn = new SFNClient(sdkConfig(moto.endpoint));
    const machine = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: outputs.state_machine_arn!.value }),
    );
    expect(machine.type).toBe("STANDARD");
    const definition = JSON.parse(machine.definition!) as { TimeoutSeconds: number };
    expect(definition.TimeoutSeconds).toBe(3300);
    const functionArns = [...machine.definition!.matchAll(/"FunctionName":"([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(new Set(functionArns).size).toBe(PIPELINE_STEP_NAMES.length);
    const lambda = new LambdaClient(sdkConfig(moto.endpoint));
    for (const arn of new Set(functionArns)) {
      const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
      expect(fn.Runtime).toBe("nodejs22.x");
      if (fn.FunctionName!.endsWith("-crawl-lake")) {
        expect(fn.Environment!.Variables!.CRAWL_POLICY).toBe(config.crawl);
      }
    }
  });

  it(`deploys ExtractPlaylists as a Distributed Map with ${childType} children over the raw bucket, and the role may start them`, async () => {
    const sfn = new SFNClient(sdkConfig(moto.endpoint));
    const machine = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: outputs.state_machine_arn!.value }),
    );
    const map = (
      JSON.parse(machine.definition!) as {
        States: Record<string, Record<string, { Parameters?: { Bucket?: string } } & object>>;
      }
    ).States.ExtractPlaylists!;
    expect(map.ItemProcessor).toMatchObject({
      ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: childType },
    });
    expect(map.ItemReader!.Parameters!.Bucket).toBe(outputs.raw_bucket_name!.value);
    expect(map.ResultWriter!.Parameters!.Bucket).toBe(outputs.raw_bucket_name!.value);
    const policy = await iam().send(
      new GetRolePolicyCommand({
        RoleName: `${prefix}-pipeline-states`,
        PolicyName: "run-pipeline",
      }),
    );
    const statements = (
      JSON.parse(decodeURIComponent(policy.PolicyDocument!)) as {
        Statement: { Sid: string; Action: string[]; Resource: string[] }[];
      }
    ).Statement;
    expect(statements.find((st) => st.Sid === "ExtractPlaylistsStartChildExecutions")).toEqual(
      expect.objectContaining({
        Action: ["states:StartExecution"],
        Resource: [outputs.state_machine_arn!.value],
      }),
    );
    expect(statements.some((st) => st.Sid === "ExtractPlaylistsRedriveChildExecutions")).toBe(
      childType === "STANDARD",
    );
  });

  it("creates the schedule disabled, starting this state machine with the scheduled time as the snapshot", async () => {
    const scheduler = new SchedulerClient(sdkConfig(moto.endpoint));
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: `${prefix}-hourly-snapshot`, GroupName: "default" }),
    );
    expect(schedule.State).toBe("DISABLED");
    expect(schedule.ScheduleExpression).toBe(config.schedule);
    expect(schedule.Target!.Arn).toBe(outputs.state_machine_arn!.value);
    expect(JSON.parse(schedule.Target!.Input!)).toEqual({
      snapshot: "<aws.scheduler.scheduled-time>",
    });
  });

  it("creates the crawler without partition indexes", async () => {
    const glue = new GlueClient(sdkConfig(moto.endpoint));
    const { Crawler } = await glue.send(
      new GetCrawlerCommand({ Name: outputs.glue_crawler_name!.value }),
    );
    expect(JSON.parse(Crawler!.Configuration!)).toMatchObject({ CreatePartitionIndex: false });
  });

  it("creates the chart views as Athena views in the Glue database", async () => {
    const glue = new GlueClient(sdkConfig(moto.endpoint));
    const { TableList } = await glue.send(
      new GetTablesCommand({ DatabaseName: outputs.glue_database_name!.value }),
    );
    const views = (TableList ?? []).filter((t) => t.TableType === "VIRTUAL_VIEW");
    expect(views.map((t) => t.Name).sort()).toEqual(HISTORY_VIEWS.map((v) => v.name).sort());
    for (const view of views) expect(view.ViewOriginalText).toMatch(/^\/\* Presto View: /);
  });

  it("leaves nothing behind after terraform destroy", async () => {
    const started = Date.now();
    terraform(dir, ["destroy", "-auto-approve", "-input=false", "-parallelism=20"]);
    console.log(`${stage}: destroyed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(terraform(dir, ["state", "list"]).trim()).toBe("");
    const buckets = (await s3().send(new ListBucketsCommand({}))).Buckets ?? [];
    expect(buckets.map((b) => b.Name).filter((name) => name?.startsWith(prefix))).toEqual([]);
    const roles = (await iam().send(new ListRolesCommand({}))).Roles ?? [];
    expect(roles.map((r) => r.RoleName).filter((name) => name?.startsWith(prefix))).toEqual([]);
    const machines = await new SFNClient(sdkConfig(moto.endpoint)).send(
      new ListStateMachinesCommand({}),
    );
    expect(machines.stateMachines ?? []).toEqual([]);
  }, 300_000);
});
