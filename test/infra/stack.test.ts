// Specification of the synthesized stack: what a `terraform apply` of one stage creates,
// read from the Terraform JSON that cdktf produces (no AWS access needed).

import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAKE_TABLES } from "../../functions/commons/keys";
import type { FunctionBundle } from "../../infra/bundle";
import {
  extractPlaylistTimeoutSeconds,
  PIPELINE_FUNCTIONS,
} from "../../infra/constructs/functions";
import { STAGE_ALARM_COUNT } from "../../infra/constructs/monitoring";
import { isWildcardResourceException } from "../../infra/iam-exceptions";
import {
  asList,
  buildStack,
  bundlesIn,
  sharedBundles,
  onlyResource,
  policyDocuments,
  resourcesOf,
  scratchFolder,
  stageConfig,
  synthStage,
  type Synth,
} from "./synth-support";

const scratch = scratchFolder("stack");
let bundles: FunctionBundle[];
let synth: Synth;

beforeAll(async () => {
  bundles = await sharedBundles();
  synth = synthStage(stageConfig(), bundles);
});
afterAll(() => scratch.cleanup());

const ref = (type: string, id: string, attribute: string) => `\${${type}.${id}.${attribute}}`;

function idOf(type: string, idPart: string): string {
  const ids = Object.keys(resourcesOf(synth, type)).filter((id) => id.includes(idPart));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} with ${idPart} in its id, found ${ids.join(", ")}`);
  return ids[0]!;
}

describe("Storage", () => {
  const bucketIds = () => Object.keys(resourcesOf(synth, "aws_s3_bucket"));
  const forBucket = (type: string, bucketId: string) =>
    Object.values(resourcesOf(synth, type)).filter(
      (resource) => resource.bucket === ref("aws_s3_bucket", bucketId, "id"),
    );

  it("creates the raw, lake and Athena results buckets, named after stage, account and region", () => {
    const names = Object.values(resourcesOf(synth, "aws_s3_bucket")).map((b) => b.bucket);
    expect(names).toHaveLength(3);
    for (const role of ["raw", "lake", "athena-results"]) {
      expect(names).toContain(
        `spotify-lake-test-${role}-\${data.aws_caller_identity.current_account.account_id}-eu-west-1`,
      );
    }
  });

  it("blocks every kind of public access on every bucket", () => {
    for (const bucketId of bucketIds()) {
      expect(forBucket("aws_s3_bucket_public_access_block", bucketId)).toEqual([
        expect.objectContaining({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        }),
      ]);
    }
  });

  it("encrypts every bucket at rest and enforces bucket ownership (no ACLs)", () => {
    for (const bucketId of bucketIds()) {
      expect(forBucket("aws_s3_bucket_server_side_encryption_configuration", bucketId)).toEqual([
        expect.objectContaining({
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
        }),
      ]);
      expect(forBucket("aws_s3_bucket_ownership_controls", bucketId)).toEqual([
        expect.objectContaining({ rule: { object_ownership: "BucketOwnerEnforced" } }),
      ]);
    }
  });

  it("denies every request to every bucket and its objects that does not use TLS", () => {
    for (const bucketId of bucketIds()) {
      const policies = forBucket("aws_s3_bucket_policy", bucketId);
      expect(policies).toHaveLength(1);
      const document = JSON.parse(policies[0]!.policy as string);
      const bucketArn = ref("aws_s3_bucket", bucketId, "arn");
      expect(document.Statement).toContainEqual({
        Sid: "DenyRequestsWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    }
  });

  it("versions the raw bucket only", () => {
    const versioning = Object.values(resourcesOf(synth, "aws_s3_bucket_versioning"));
    expect(versioning).toEqual([
      expect.objectContaining({
        bucket: ref("aws_s3_bucket", idOf("aws_s3_bucket", "raw"), "id"),
        versioning_configuration: { status: "Enabled" },
      }),
    ]);
  });

  it("expires the raw bucket's noncurrent versions and moves nothing to a colder class", () => {
    const [lifecycle] = forBucket(
      "aws_s3_bucket_lifecycle_configuration",
      idOf("aws_s3_bucket", "raw"),
    );
    expect(lifecycle!.rule).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          status: "Enabled",
          noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        }),
      ]),
    );
    // Raw objects are JSON pages under S3's 128 KB transition floor: a transition would never apply.
    expect(JSON.stringify(lifecycle!.rule)).not.toContain("transition");
  });

  it("never expires a current raw object, so the stored pages and artist details later hours list stay", () => {
    // Hours list pages and artist details stored by earlier hours (spotify/playlist_pages/,
    // spotify/artist_details/); their keys name their content, so they are only ever current
    // versions. A rule that expires current objects (by age or date) would break those hours.
    const [lifecycle] = forBucket(
      "aws_s3_bucket_lifecycle_configuration",
      idOf("aws_s3_bucket", "raw"),
    );
    const rules = lifecycle!.rule as { expiration?: Record<string, unknown>[] }[];
    for (const rule of rules) {
      for (const expiration of rule.expiration ?? []) {
        expect(expiration).not.toHaveProperty("days");
        expect(expiration).not.toHaveProperty("date");
      }
    }
  });

  it("expires Athena query results after the configured number of days", () => {
    const [lifecycle] = forBucket(
      "aws_s3_bucket_lifecycle_configuration",
      idOf("aws_s3_bucket", "athena_results"),
    );
    expect(lifecycle!.rule).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: "Enabled", expiration: [{ days: 7 }] }),
      ]),
    );
  });
});

describe("Spotify credentials secret", () => {
  it("creates the secret but never a secret version, so no credential reaches code or state", () => {
    expect(onlyResource(synth, "aws_secretsmanager_secret")).toMatchObject({
      name: "spotify-lake-test/spotify-credentials",
    });
    expect(resourcesOf(synth, "aws_secretsmanager_secret_version")).toEqual({});
  });

  it("outputs the secret's ARN, and no output carries a secret value", () => {
    expect(synth.output.spotify_secret_arn!.value).toBe(
      ref("aws_secretsmanager_secret", idOf("aws_secretsmanager_secret", "spotify_secret"), "arn"),
    );
    expect(JSON.stringify(synth)).not.toMatch(/secret_string|clientSecret"\s*:\s*"[^.]/);
  });
});

describe("Functions", () => {
  const fn = (name: string) =>
    resourcesOf(synth, "aws_lambda_function")[
      idOf("aws_lambda_function", `functions_${name.replace(/-/g, "_")}_`)
    ]!;

  it.each(PIPELINE_FUNCTIONS.map((spec) => [spec.name, spec] as const))(
    "deploys %s on nodejs22.x arm64 with X-Ray, its bundle hash, memory and timeout",
    (name, spec) => {
      const bundle = bundles.find((b) => b.name === name)!;
      expect(fn(name)).toMatchObject({
        function_name: `spotify-lake-test-${name}`,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        memory_size: spec.memoryMb,
        // extract-playlist's timeout covers the stage's batch (25 playlists by default).
        timeout:
          name === "extract-playlist" ? extractPlaylistTimeoutSeconds(25) : spec.timeoutSeconds,
        source_code_hash: bundle.sha256,
        tracing_config: { mode: "Active" },
      });
      expect(fn(name).filename).toMatch(/^assets\/.+\/archive\.zip$/);
    },
  );

  it("gives each function its own log group /aws/lambda/<name> with the configured retention", () => {
    const groups = Object.values(resourcesOf(synth, "aws_cloudwatch_log_group"));
    for (const spec of PIPELINE_FUNCTIONS) {
      expect(groups).toContainEqual(
        expect.objectContaining({
          name: `/aws/lambda/spotify-lake-test-${spec.name}`,
          retention_in_days: 14,
        }),
      );
    }
  });

  it("gives each function its own role", () => {
    const roles = new Set(
      Object.values(resourcesOf(synth, "aws_lambda_function")).map((f) => f.role),
    );
    expect(roles.size).toBe(PIPELINE_FUNCTIONS.length);
  });

  it("passes each function the settings it reads, and nothing secret", () => {
    const raw = ref("aws_s3_bucket", idOf("aws_s3_bucket", "raw"), "bucket");
    const lake = ref("aws_s3_bucket", idOf("aws_s3_bucket", "lake"), "bucket");
    const secretArn = ref(
      "aws_secretsmanager_secret",
      idOf("aws_secretsmanager_secret", "spotify"),
      "arn",
    );
    const common = { POWERTOOLS_SERVICE_NAME: "spotify-lake", POWERTOOLS_LOG_LEVEL: "INFO" };
    const variables = (name: string) =>
      (fn(name).environment as { variables: Record<string, string> }).variables;

    expect(variables("prepare-run")).toEqual({
      ...common,
      PLAYLIST_IDS: "3cEYpjA9oz9GiPac4AsH4n,6rqhFgbbKwnb9MLmUQDhG6",
      UNAVAILABLE_PLAYLISTS: "fail",
      RAW_BUCKET: raw,
      EXTRACT_CONCURRENCY: "4",
      EXTRACT_BATCH_SIZE: "25",
    });
    expect(variables("extract-playlist")).toEqual({
      ...common,
      RAW_BUCKET: raw,
      SPOTIFY_SECRET_ID: secretArn,
      SPOTIFY_APP_MODE: "development",
    });
    expect(variables("extract-artists")).toEqual({
      ...common,
      RAW_BUCKET: raw,
      SPOTIFY_SECRET_ID: secretArn,
      SPOTIFY_APP_MODE: "development",
      ARTIST_MAX_AGE_HOURS: "24",
    });
    expect(variables("transform-snapshot")).toEqual({
      ...common,
      RAW_BUCKET: raw,
      LAKE_BUCKET: lake,
    });
    expect(variables("crawl-lake")).toEqual({
      ...common,
      CRAWLER_NAME: ref("aws_glue_crawler", idOf("aws_glue_crawler", "crawler"), "name"),
      GLUE_DATABASE: ref(
        "aws_glue_catalog_database",
        idOf("aws_glue_catalog_database", "database"),
        "name",
      ),
      LAKE_BUCKET: lake,
      RAW_BUCKET: raw,
      CRAWL_POLICY: "on-schema-change",
    });
    expect(variables("validate-snapshot")).toEqual({
      ...common,
      ATHENA_WORKGROUP: ref(
        "aws_athena_workgroup",
        idOf("aws_athena_workgroup", "workgroup"),
        "name",
      ),
      GLUE_DATABASE: ref(
        "aws_glue_catalog_database",
        idOf("aws_glue_catalog_database", "database"),
        "name",
      ),
    });
  });

  it("lets the extract functions read and rotate the secret and write only spotify/ of the raw bucket", () => {
    const policy = JSON.parse(
      resourcesOf(synth, "aws_iam_role_policy")[idOf("aws_iam_role_policy", "extract_playlist")]!
        .policy as string,
    );
    const rawArn = ref("aws_s3_bucket", idOf("aws_s3_bucket", "raw"), "arn");
    expect(policy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
          Resource: [`${rawArn}/spotify/*`],
        }),
        expect.objectContaining({
          Action: ["s3:ListBucket"],
          Resource: [rawArn],
        }),
        expect.objectContaining({
          Sid: "SnapshotLeaseAccess",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
          Resource: [`${rawArn}/_leases/*`],
        }),
        expect.objectContaining({
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
          Resource: [
            ref("aws_secretsmanager_secret", idOf("aws_secretsmanager_secret", "spotify"), "arn"),
          ],
        }),
      ]),
    );
  });
});

describe("Orchestration", () => {
  const stateMachine = () => onlyResource(synth, "aws_sfn_state_machine");

  it("creates a Standard state machine with tracing and ERROR logging that keeps execution data out", () => {
    expect(stateMachine()).toMatchObject({
      name: "spotify-lake-test-pipeline",
      type: "STANDARD",
      tracing_configuration: { enabled: true },
      logging_configuration: {
        level: "ERROR",
        include_execution_data: false,
        log_destination: `${ref("aws_cloudwatch_log_group", idOf("aws_cloudwatch_log_group", "state_machine_logs"), "arn")}:*`,
      },
    });
  });

  it("substitutes every function ARN into the definition and leaves no ${...Arn} placeholder", () => {
    const definition = stateMachine().definition as string;
    for (const spec of PIPELINE_FUNCTIONS) {
      const lambdaId = idOf("aws_lambda_function", `functions_${spec.name.replace(/-/g, "_")}_`);
      expect(definition).toContain(
        `"FunctionName":"${ref("aws_lambda_function", lambdaId, "arn")}"`,
      );
    }
    expect(definition).not.toMatch(/\$\{[A-Za-z]+Arn\}/);
    expect(JSON.parse(definition).StartAt).toBe("PrepareRun");
  });

  it("lets the state machine invoke exactly the six functions (and their qualified ARNs)", () => {
    const policy = JSON.parse(
      resourcesOf(synth, "aws_iam_role_policy")[
        idOf("aws_iam_role_policy", "state_machine_policy")
      ]!.policy as string,
    );
    const invoke = policy.Statement.find((s: { Action: string[] }) =>
      s.Action.includes("lambda:InvokeFunction"),
    );
    const arns = Object.keys(resourcesOf(synth, "aws_lambda_function")).map((id) =>
      ref("aws_lambda_function", id, "arn"),
    );
    expect([...invoke.Resource].sort()).toEqual(arns.flatMap((arn) => [arn, `${arn}:*`]).sort());
  });

  it("schedules an hourly start, no flexible window, with the scheduled time as the snapshot", () => {
    const schedule = onlyResource(synth, "aws_scheduler_schedule");
    expect(schedule).toMatchObject({
      schedule_expression: "rate(1 hour)",
      // Disabled until the stage says otherwise: the secret has no value on the first deploy.
      state: "DISABLED",
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: ref("aws_sfn_state_machine", idOf("aws_sfn_state_machine", "state_machine"), "arn"),
        dead_letter_config: {
          arn: ref("aws_sqs_queue", idOf("aws_sqs_queue", "dead_letters"), "arn"),
        },
        retry_policy: { maximum_retry_attempts: 10, maximum_event_age_in_seconds: 3600 },
      },
    });
    const target = schedule.target as { input: string };
    expect(JSON.parse(target.input)).toEqual({ snapshot: "<aws.scheduler.scheduled-time>" });
  });

  it("lets the scheduler only start this state machine and dead-letter to its encrypted queue", () => {
    expect(onlyResource(synth, "aws_sqs_queue")).toMatchObject({ sqs_managed_sse_enabled: true });
    const policy = JSON.parse(
      resourcesOf(synth, "aws_iam_role_policy")[idOf("aws_iam_role_policy", "scheduler_policy")]!
        .policy as string,
    );
    expect(
      policy.Statement.map((s: { Action: string[]; Resource: string[] }) => [s.Action, s.Resource]),
    ).toEqual([
      [
        ["states:StartExecution"],
        [ref("aws_sfn_state_machine", idOf("aws_sfn_state_machine", "state_machine"), "arn")],
      ],
      [["sqs:SendMessage"], [ref("aws_sqs_queue", idOf("aws_sqs_queue", "dead_letters"), "arn")]],
    ]);
  });
});

describe("Catalog and query", () => {
  it("crawls exactly the four lake tables into the database, table names equal to folder names", () => {
    const lakeBucket = ref("aws_s3_bucket", idOf("aws_s3_bucket", "lake"), "bucket");
    const crawler = onlyResource(synth, "aws_glue_crawler");
    expect(crawler).toMatchObject({
      database_name: ref(
        "aws_glue_catalog_database",
        idOf("aws_glue_catalog_database", "database"),
        "name",
      ),
      table_prefix: "",
    });
    expect(crawler.s3_target).toEqual(
      LAKE_TABLES.map((table) => ({ path: `s3://${lakeBucket}/_crawl/${table}/` })),
    );
    expect(JSON.parse(crawler.configuration as string)).toMatchObject({
      Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
      CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
    });
  });

  it("gives the crawler read access to its copies of the lake tables only, not the versions, quarantine/ or _reports/", () => {
    const policy = resourcesOf(synth, "aws_iam_role_policy")[
      idOf("aws_iam_role_policy", "crawler_policy")
    ]!.policy as string;
    const s3Resources = (JSON.parse(policy).Statement as { Action: string[]; Resource: string[] }[])
      .filter((s) => s.Action.some((a) => a.startsWith("s3:")))
      .flatMap((s) => s.Resource);
    expect(s3Resources.filter((r) => r.endsWith("/*"))).toEqual(
      LAKE_TABLES.map(
        (table) =>
          `${ref("aws_s3_bucket", idOf("aws_s3_bucket", "lake"), "arn")}/_crawl/${table}/*`,
      ),
    );
    expect(policy).not.toMatch(/quarantine|_reports/);
    expect(resourcesOf(synth, "aws_iam_role_policy_attachment")).toEqual({});
  });

  it("enforces the workgroup's encrypted results location, scan cutoff and CloudWatch metrics", () => {
    const resultsBucket = ref("aws_s3_bucket", idOf("aws_s3_bucket", "athena_results"), "bucket");
    expect(onlyResource(synth, "aws_athena_workgroup")).toMatchObject({
      configuration: {
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: 1073741824,
        result_configuration: {
          output_location: `s3://${resultsBucket}/athena/`,
          encryption_configuration: { encryption_option: "SSE_S3" },
        },
      },
    });
  });

  it("saves the two classic queries in the workgroup", () => {
    const queries = Object.values(resourcesOf(synth, "aws_athena_named_query")).map((q) => [
      q.name,
      q.query,
    ]);
    expect(queries).toEqual(
      expect.arrayContaining([
        ["artists-popularity-over-80", "SELECT * FROM artists_data WHERE popularity > 80;"],
        ["songs-per-album", "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name;"],
      ]),
    );
  });

  it("saves every validation check's SQL, with `?` for the partition values", () => {
    const checks = Object.values(resourcesOf(synth, "aws_athena_named_query")).filter((q) =>
      String(q.name).startsWith("check-"),
    );
    expect(checks.map((q) => q.name)).toEqual(
      expect.arrayContaining(["check-songs-data-profile", "check-songs-artists-present"]),
    );
    for (const check of checks) {
      expect(check.query).toContain("snapshot_date = ? AND");
      expect(check.query).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });
});

describe("Monitoring", () => {
  const alarms = () => Object.values(resourcesOf(synth, "aws_cloudwatch_metric_alarm"));
  const topicArn = () => ref("aws_sns_topic", idOf("aws_sns_topic", "alerts"), "arn");

  it("alarms on any failed, timed-out or aborted run within an hour", () => {
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]) {
      expect(alarms()).toContainEqual(
        expect.objectContaining({
          namespace: "AWS/States",
          metric_name: metric,
          period: 3600,
          threshold: 1,
          comparison_operator: "GreaterThanOrEqualToThreshold",
          alarm_actions: [topicArn()],
        }),
      );
    }
  });

  it("has no alarm on a function's Errors: a retried error is no incident, a run's failure is", () => {
    expect(alarms().filter((a) => a.namespace === "AWS/Lambda")).toEqual([]);
    expect(
      alarms()
        .map((a) => a.alarm_name as string)
        .sort(),
    ).toEqual([
      "spotify-lake-test-pipeline-aborted",
      "spotify-lake-test-pipeline-failed",
      "spotify-lake-test-pipeline-timedout",
      "spotify-lake-test-schedule-dead-letters",
      "spotify-lake-test-spotify-authorization-expiring",
    ]);
    // The cost model bills STAGE_ALARM_COUNT alarms a month.
    expect(alarms()).toHaveLength(STAGE_ALARM_COUNT);
  });

  it("counts the warning that the Spotify authorization expires within 30 days and alarms on it", () => {
    const filter = onlyResource(synth, "aws_cloudwatch_log_metric_filter");
    expect(filter).toMatchObject({
      log_group_name: expect.stringContaining("/aws/lambda/"),
      pattern: '{ $.message = "Spotify authorization expires soon" }',
      metric_transformation: {
        namespace: "SpotifyLake",
        name: "SpotifyAuthorizationExpiringSoon",
        value: "1",
      },
    });
    expect(filter.log_group_name).toContain("aws_lambda_function.functions_extract_artists");
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        namespace: "SpotifyLake",
        metric_name: "SpotifyAuthorizationExpiringSoon",
        threshold: 1,
        alarm_actions: [topicArn()],
        alarm_description: expect.stringContaining("npm run authorize"),
      }),
    );
  });

  it("encrypts the alert topic with a rotating key CloudWatch may use, and subscribes the configured e-mail", () => {
    const keyId = idOf("aws_kms_key", "alerts_key");
    expect(onlyResource(synth, "aws_sns_topic")).toMatchObject({
      kms_master_key_id: ref("aws_kms_key", keyId, "arn"),
    });
    const key = onlyResource(synth, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    expect(JSON.parse(key.policy as string).Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      }),
    );
    expect(onlyResource(synth, "aws_sns_topic_subscription")).toMatchObject({
      protocol: "email",
      endpoint: "data-alerts@example.com",
      topic_arn: topicArn(),
    });
  });

  it("creates no e-mail subscription when no alert e-mail is configured", () => {
    const withoutEmail = synthStage(stageConfig({ stage: "quiet", alertEmail: null }), bundles);
    expect(resourcesOf(withoutEmail, "aws_sns_topic_subscription")).toEqual({});
    expect(resourcesOf(withoutEmail, "aws_sns_topic")).not.toEqual({});
  });

  it("outputs what an operator needs after a deploy", () => {
    expect(Object.keys(synth.output)).toEqual(
      expect.arrayContaining([
        "state_machine_arn",
        "raw_bucket_name",
        "lake_bucket_name",
        "athena_results_bucket_name",
        "glue_database_name",
        "athena_workgroup_name",
        "spotify_secret_arn",
        "alert_topic_arn",
      ]),
    );
  });
});

describe("IAM policies", () => {
  it("never allow all actions or every action of a service", () => {
    const offending = policyDocuments(synth).flatMap((policy) =>
      policy.statements
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => asList(s.Action).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)))
        .map((action) => `${policy.where}: ${action}`),
    );
    expect(offending).toEqual([]);
  });

  it('allow Resource "*" only for the actions listed in infra/iam-exceptions.ts (and in the KMS key policy, where * is the key)', () => {
    const policies = policyDocuments(synth);
    expect(policies.length).toBeGreaterThanOrEqual(20);
    const offending = policies
      .filter((policy) => policy.kind !== "key")
      .flatMap((policy) =>
        policy.statements
          .filter((s) => s.Effect === "Allow" && asList(s.Resource).includes("*"))
          .flatMap((s) => asList(s.Action).filter((a) => !isWildcardResourceException(a)))
          .map((action) => `${policy.where}: ${action}`),
      );
    expect(offending).toEqual([]);
  });

  it("never use NotAction/NotResource in an Allow, nor allow an anonymous principal", () => {
    const offending = policyDocuments(synth).flatMap((policy) =>
      policy.statements
        .filter((s) => s.Effect === "Allow")
        .filter(
          (s) =>
            s.NotAction ||
            s.NotResource ||
            s.Principal === "*" ||
            JSON.stringify(s.Principal ?? "").includes('"*"'),
        )
        .map((s) => `${policy.where}: ${s.Sid}`),
    );
    expect(offending).toEqual([]);
  });
});

describe("State backend", () => {
  it("keeps dev state in a local file at the repository root, by a relative path", () => {
    expect(synth.terraform.backend).toEqual({
      local: { path: "../../../terraform.spotify-lake-test.tfstate" },
    });
  });

  it("uses an encrypted S3 backend with S3-native locking when the stage configures one", () => {
    const remote = synthStage(
      stageConfig({
        stage: "remote",
        backend: {
          type: "s3",
          bucket: "acme-terraform-state",
          key: "spotify-lake/remote.tfstate",
          region: "eu-west-1",
        },
      }),
      bundles,
    );
    expect(remote.terraform.backend).toEqual({
      s3: {
        bucket: "acme-terraform-state",
        key: "spotify-lake/remote.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});

describe("Reproducible builds", () => {
  it("gives the same source_code_hash and byte-identical zips when everything is bundled and synthesized again", () => {
    const hashesOf = (s: Synth) =>
      Object.fromEntries(
        Object.values(resourcesOf(s, "aws_lambda_function")).map((f) => [
          f.function_name,
          f.source_code_hash,
        ]),
      );
    const again = bundlesIn(path.join(scratch.dir, "bundles-b"));
    expect(again.map((b) => b.dir)).not.toEqual(bundles.map((b) => b.dir));

    expect(hashesOf(synthStage(stageConfig(), again))).toEqual(hashesOf(synth));

    const zipsOf = (outdir: string, s: Synth) =>
      Object.values(resourcesOf(s, "aws_lambda_function")).map((f) =>
        readFileSync(path.join(outdir, "stacks", "spotify-lake-test", f.filename as string)),
      );
    const first = Testing.fullSynth(buildStack(stageConfig(), bundles));
    const second = Testing.fullSynth(buildStack(stageConfig(), again));
    const firstZips = zipsOf(first, synth);
    expect(firstZips.every((zip) => zip.subarray(0, 2).toString() === "PK")).toBe(true);
    expect(zipsOf(second, synth)).toEqual(firstZips);
  });
});
