// Specification of what a first deploy needs to work and stay cheap: each case is a
// mistake a synthesized stack once had (issue 11's day-one list), read from the Terraform
// JSON, so it cannot come back unnoticed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionBundle } from "../../infra/bundle";
import { CRAWLER_LOG_GROUP } from "../../infra/constructs/catalog-and-query";
import { checkRunTimeout } from "../../infra/constructs/orchestration";
import { bucketNameOf, MAX_BUCKET_NAME_LENGTH } from "../../infra/constructs/storage";
import {
  asList,
  onlyResource,
  policyDocuments,
  resourcesOf,
  scratchFolder,
  sharedBundles,
  stageConfig,
  synthStage,
  type Synth,
} from "./synth-support";

const scratch = scratchFolder("day-one");
let bundles: FunctionBundle[];
let synth: Synth;

beforeAll(async () => {
  bundles = await sharedBundles();
  synth = synthStage(stageConfig(), bundles);
});
afterAll(() => scratch.cleanup());

const definitionOf = (stack: Synth) =>
  JSON.parse(onlyResource(stack, "aws_sfn_state_machine").definition as string) as {
    TimeoutSeconds?: number;
  };
const terraformBlock = (stack: Synth) =>
  (stack as unknown as { terraform: Record<string, unknown> }).terraform;

describe("a run ends before the next one starts", () => {
  it("gives the state machine a TimeoutSeconds shorter than an hour, so ExecutionsTimedOut can fire", () => {
    const timeout = definitionOf(synth).TimeoutSeconds;
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(3600);
  });

  it("refuses a rate schedule that starts runs more often than a run may last", () => {
    const definition = JSON.stringify({ TimeoutSeconds: 3300 });
    expect(() => checkRunTimeout(definition, "rate(30 minutes)", "asl")).toThrow(
      /rate\(30 minutes\) starts a run every 1800 s.*TimeoutSeconds \(3300 s\): runs would overlap/,
    );
    expect(checkRunTimeout(definition, "rate(1 hour)", "asl")).toBe(3300);
    expect(() => checkRunTimeout("{}", "rate(1 hour)", "asl")).toThrow(
      /needs a top-level TimeoutSeconds/,
    );
  });
});

describe("the first deploy, before the secret has a value", () => {
  it("creates the schedule disabled unless the stage enables it", () => {
    expect(onlyResource(synth, "aws_scheduler_schedule").state).toBe("DISABLED");
    const enabled = synthStage(stageConfig({ stage: "live", scheduleEnabled: true }), bundles);
    expect(onlyResource(enabled, "aws_scheduler_schedule").state).toBe("ENABLED");
  });
});

describe("Terraform and provider versions", () => {
  it("requires Terraform >= 1.10 (use_lockfile) and accepts provider 5.100 and 6.25", () => {
    const block = terraformBlock(synth);
    expect(block.required_version).toBe(">= 1.10");
    const aws = (block.required_providers as Record<string, { version: string }>).aws!;
    expect(aws.version).toBe(">= 5.100.0, < 7.0.0");
  });
});

describe("bucket names", () => {
  const longestRegions = ["ap-southeast-3", "us-gov-west-1", "eu-central-2", "il-central-1"];

  it.each(longestRegions)("fit in 63 characters for a 10-letter stage in %s", (region) => {
    for (const role of ["raw", "lake", "athena-results"]) {
      const name = bucketNameOf("spotify-lake-abcdefghij", role, "123456789012", region);
      expect(name.length).toBeLessThanOrEqual(MAX_BUCKET_NAME_LENGTH);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    }
  });

  it("keep the full region when it fits and shorten it deterministically when not", () => {
    expect(bucketNameOf("spotify-lake-dev", "raw", "123456789012", "eu-west-1")).toBe(
      "spotify-lake-dev-raw-123456789012-eu-west-1",
    );
    expect(
      bucketNameOf("spotify-lake-abcdefghij", "athena-results", "123456789012", "ap-southeast-3"),
    ).toBe("spotify-lake-abcdefghij-athena-results-123456789012-apse3");
  });
});

describe("the crawler", () => {
  it("creates no partition indexes (its role has no glue:CreatePartitionIndex)", () => {
    const crawler = onlyResource(synth, "aws_glue_crawler");
    expect(JSON.parse(crawler.configuration as string)).toMatchObject({
      CreatePartitionIndex: false,
    });
    const actions = policyDocuments(synth)
      .filter((p) => p.where.includes("crawler_policy"))
      .flatMap((p) => p.statements.flatMap((s) => asList(s.Action)));
    expect(actions).not.toContain("glue:CreatePartitionIndex");
  });

  it("trusts glue.amazonaws.com without a condition Glue does not document sending", () => {
    const trust = policyDocuments(synth).find((p) => p.where.includes("crawler_role"))!;
    expect(trust.statements).toEqual([
      expect.objectContaining({ Principal: { Service: "glue.amazonaws.com" } }),
    ]);
    expect(trust.statements[0]!.Condition).toBeUndefined();
  });

  it("logs to a log group with the stage's retention, which its role cannot recreate without one", () => {
    expect(Object.values(resourcesOf(synth, "aws_cloudwatch_log_group"))).toContainEqual(
      expect.objectContaining({ name: CRAWLER_LOG_GROUP, retention_in_days: 14 }),
    );
    const actions = policyDocuments(synth)
      .filter((p) => p.where.includes("crawler_policy"))
      .flatMap((p) => p.statements.flatMap((s) => asList(s.Action)));
    expect(actions).not.toContain("logs:CreateLogGroup");
    const second = synthStage(
      stageConfig({ stage: "second", crawlerLogGroup: "existing" }),
      bundles,
    );
    const names = Object.values(resourcesOf(second, "aws_cloudwatch_log_group")).map((g) => g.name);
    expect(names).not.toContain(CRAWLER_LOG_GROUP);
  });
});

describe("least privilege", () => {
  it("lets CloudWatch use the alert key only for this account's alarms of this stage", () => {
    const key = JSON.parse(onlyResource(synth, "aws_kms_key").policy as string) as {
      Statement: { Principal?: { Service?: string }; Condition?: unknown }[];
    };
    const cloudwatch = key.Statement.find(
      (s) => s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    expect(cloudwatch?.Condition).toEqual({
      StringEquals: {
        "aws:SourceAccount": "${data.aws_caller_identity.current_account.account_id}",
      },
      ArnLike: {
        "aws:SourceArn":
          "arn:${data.aws_partition.current_partition.partition}:cloudwatch:eu-west-1:${data.aws_caller_identity.current_account.account_id}:alarm:spotify-lake-test-*",
      },
    });
  });

  it("grants no Athena action the pipeline never calls", () => {
    const actions = policyDocuments(synth).flatMap((p) =>
      p.statements.flatMap((s) => asList(s.Action)),
    );
    expect(actions).not.toContain("athena:StopQueryExecution");
  });
});

describe("the catalog without an hourly crawl", () => {
  const crawlLakeFunction = (stack: Synth) =>
    Object.values(resourcesOf(stack, "aws_lambda_function")).find((f) =>
      String(f.function_name).endsWith("-crawl-lake"),
    )! as { environment: { variables: Record<string, string> } };

  it("tells crawl-lake the stage's policy, database and lake bucket, on-schema-change by default", () => {
    expect(crawlLakeFunction(synth).environment.variables).toMatchObject({
      CRAWL_POLICY: "on-schema-change",
      GLUE_DATABASE: expect.stringMatching(/^\$\{aws_glue_catalog_database\.[^}]+\.name\}$/),
      LAKE_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.storage_lake_bucket[^}]+\.bucket\}$/),
    });
    const everyRun = synthStage(stageConfig({ stage: "crawly", crawl: "every-run" }), bundles);
    expect(crawlLakeFunction(everyRun).environment.variables.CRAWL_POLICY).toBe("every-run");
  });

  it("lets crawl-lake read table schemas, register partitions and move them to a new version, in this database only", () => {
    const policy = policyDocuments(synth).find((p) => p.where.includes("crawl_lake_policy"))!;
    const register = policy.statements.find((s) => s.Sid === "RegisterPartitions")!;
    expect(asList(register.Action)).toEqual([
      "glue:GetTable",
      "glue:BatchCreatePartition",
      "glue:BatchUpdatePartition",
    ]);
    expect(asList(register.Resource).map((r) => r.replace(/\$\{[^}]+\}/g, "X"))).toEqual([
      "arn:X:glue:eu-west-1:X:catalog",
      "arn:X:glue:eu-west-1:X:database/spotify_lake_test",
      "arn:X:glue:eu-west-1:X:table/spotify_lake_test/*",
    ]);
  });

  it("lets crawl-lake publish (read and delete versions, copy for the crawler, record, hold the lease) and the transform only add versions", () => {
    const statementsOf = (where: string) =>
      policyDocuments(synth).find((p) => p.where.includes(where))!.statements;
    const grants = (where: string) =>
      statementsOf(where).flatMap((s) =>
        asList(s.Resource)
          .filter((r) => r.startsWith("${") && r.includes("/"))
          .map((r) => `${asList(s.Action).join(",")} ${r.replace(/^\$\{[^}]+\}/, "")}`),
      );
    expect(grants("crawl_lake_policy")).toEqual([
      "s3:GetObject,s3:DeleteObject /songs_data/*",
      "s3:GetObject,s3:DeleteObject /albums_data/*",
      "s3:GetObject,s3:DeleteObject /artists_data/*",
      "s3:GetObject,s3:DeleteObject /playlists_data/*",
      "s3:GetObject,s3:DeleteObject /quarantine/*",
      "s3:GetObject,s3:DeleteObject /_reports/*",
      "s3:PutObject,s3:GetObject,s3:DeleteObject /_crawl/*",
      "s3:PutObject /_published/*",
      "s3:PutObject,s3:GetObject,s3:DeleteObject /_leases/*",
    ]);
    expect(grants("transform_snapshot_policy").filter((g) => !g.includes("/spotify/"))).toEqual([
      "s3:PutObject,s3:GetObject,s3:DeleteObject /_leases/*",
      "s3:PutObject /songs_data/*",
      "s3:PutObject /albums_data/*",
      "s3:PutObject /artists_data/*",
      "s3:PutObject /playlists_data/*",
      "s3:PutObject /quarantine/*",
      "s3:PutObject /_reports/*",
    ]);
  });

  it("lets a schema-change crawl update the tables; an every-run crawl only looks at new folders", () => {
    expect(onlyResource(synth, "aws_glue_crawler")).toMatchObject({
      recrawl_policy: { recrawl_behavior: "CRAWL_EVERYTHING" },
      schema_change_policy: { update_behavior: "UPDATE_IN_DATABASE", delete_behavior: "LOG" },
    });
    const everyRun = synthStage(stageConfig({ stage: "crawly", crawl: "every-run" }), bundles);
    expect(onlyResource(everyRun, "aws_glue_crawler")).toMatchObject({
      recrawl_policy: { recrawl_behavior: "CRAWL_NEW_FOLDERS_ONLY" },
      schema_change_policy: { update_behavior: "LOG", delete_behavior: "LOG" },
    });
  });
});
