// Every principal of the stack and the AWS calls it makes in a run, each an IamRequest to
// simulate, plus the calls it must NOT be able to make. Lambda calls are SDK commands (their
// IAM requests come from sdk-commands.ts, and permissions.test.ts checks that every command a
// function's code sends has a call here); service calls (Step Functions invoking the
// functions, Scheduler starting runs, the crawler, CloudWatch alarms) are what those services
// document doing with the role or key.

import { LAKE_TABLES, lakeKeys, rawKeys } from "../../../functions/commons/keys";
import type { SnapshotHour } from "../../../functions/commons/snapshot";
import { ATHENA_RESULTS_PREFIX } from "../../../infra/constructs/storage";
import { PIPELINE_STEP_NAMES, type PipelineStep } from "../../../statemachine/pipeline";
import { SDK_COMMANDS, type CallTarget, type IamRequest } from "./sdk-commands";
import { arnOf, OTHER_ACCOUNT, PARTITION, type StackModel } from "./stack-model";

export interface Call {
  why: string;
  /** The SDK command, for the calls of a function's code. */
  command?: string;
  requests: IamRequest[];
}

export interface Principal {
  /** What the reports call it, e.g. `lambda transform-snapshot`. */
  name: string;
  /** Who signs the requests: a role ARN or a service principal. */
  principal: string;
  /** The role whose inline policies apply (none for a service acting on a resource policy). */
  roleArn?: string;
  /** The service that assumes the role, with the context it sends (trust policy). */
  trustedService?: { service: string; context: Record<string, string> };
  calls: Call[];
  mustDeny: Call[];
}

export const SNAPSHOT: SnapshotHour = { date: "2026-11-22", hour: "05" } as SnapshotHour;
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";
/** A version of the snapshot (functions/core/transform/lake-version.ts: 16 hex digits). */
const VERSION = "0123456789abcdef";

const s3Object = (bucket: string, key: string) => `arn:${PARTITION}:s3:::${bucket}/${key}`;

export function sdkCall(why: string, command: string, target: CallTarget, model: StackModel): Call {
  const requests = SDK_COMMANDS[command];
  if (!requests) throw new Error(`no row for ${command} in sdk-commands.ts`);
  return { why, command, requests: requests(target, model, command) };
}

const one = (why: string, request: IamRequest): Call => ({ why, requests: [request] });

type Names = ReturnType<typeof names>;
/** A raw Spotify response, which only the extract and transform functions may read. */
const readRaw = (n: Names, why: string) =>
  one(why, {
    action: "s3:GetObject",
    resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
  });
/** Entries set aside in quarantine/, which is not a table: only the transform touches it. */
const readQuarantine = (n: Names, why: string) =>
  one(why, {
    action: "s3:GetObject",
    resource: s3Object(n.lake, lakeKeys.quarantine(SNAPSHOT, VERSION)),
  });

/** Names of the stage's resources, from the synthesized (and resolved) stack. */
function names(model: StackModel) {
  const only = (type: string, field: string) => {
    const all = model.resources(type);
    if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
    return String(all[0]![field]);
  };
  const bucket = (role: string) => {
    const found = model
      .resources("aws_s3_bucket")
      .map((b) => String(b.bucket))
      .filter((name) => new RegExp(`-${role}-\\d{12}-`).test(name));
    if (found.length !== 1) throw new Error(`expected one ${role} bucket, found ${found.length}`);
    return found[0]!;
  };
  return {
    raw: bucket("raw"),
    lake: bucket("lake"),
    results: bucket("athena-results"),
    database: only("aws_glue_catalog_database", "name"),
    crawler: only("aws_glue_crawler", "name"),
    workgroup: only("aws_athena_workgroup", "name"),
    secret: arnOf(model, "aws_secretsmanager_secret", "/spotify-credentials"),
  };
}

/** The role ARN of a Lambda function, and its log group's ARN. */
function lambdaRole(model: StackModel, step: PipelineStep) {
  const fn = model
    .resources("aws_lambda_function")
    .find((f) => String(f.function_name).endsWith(`-${step}`));
  if (!fn) throw new Error(`no Lambda function for step ${step}`);
  const logGroup = String((fn.logging_config as { log_group: string }).log_group);
  return {
    roleArn: String(fn.role),
    logGroupArn: `arn:${PARTITION}:logs:${model.region}:${model.account}:log-group:${logGroup}`,
  };
}

/**
 * Commands a function's import tree holds that its code never sends in this stage (other
 * methods of an adapter it shares), each with the reason. They need no call here; the
 * permissions they would need stay ungranted (see the function's mustDeny).
 */
export function importedNeverSent(model: StackModel, step: PipelineStep): Record<string, string> {
  if (step !== "prepare-run") return {};
  return {
    "s3:ListObjectsV2Command":
      "S3ObjectStore's listing (issue 16): prepare-run reads the playlist list and writes the items, by key",
    "s3:DeleteObjectsCommand": "S3ObjectStore's deletes (issue 16): prepare-run never deletes",
    ...(functionEnvironment(model, step).PLAYLISTS_OBJECT_KEY
      ? {}
      : {
          "s3:GetObjectCommand": "no playlist list object in this stage: prepare-run reads nothing",
        }),
  };
}

/** The run's items object of SNAPSHOT (rawKeys.playlistItems: by the content's sha256). */
const runItemsKey = () => rawKeys.playlistItems(SNAPSHOT, "ab".repeat(32));
/** An object the ExtractPlaylists Map Run writes (ResultWriter appends `<map run id>/<file>`). */
const mapRunResultKey = (file: string) =>
  `${rawKeys.mapRunsPrefix(SNAPSHOT)}/0f3a5c1e-7b2d-4c9a-8e6f-1a2b3c4d5e6f/${file}`;

/** A Lambda function's environment variables, as deployed. */
function functionEnvironment(model: StackModel, step: PipelineStep): Record<string, string> {
  const fn = model
    .resources("aws_lambda_function")
    .find((f) => String(f.function_name).endsWith(`-${step}`));
  return (fn?.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
}

/** The calls of each function's code in a run, by step. */
function functionCalls(
  model: StackModel,
): Record<PipelineStep, { calls: Call[]; mustDeny: Call[] }> {
  const n = names(model);
  const call = (why: string, command: string, target: CallTarget) =>
    sdkCall(why, command, target, model);
  const raw = (key: string) => ({ bucket: n.raw, key });
  const lake = (key: string) => ({ bucket: n.lake, key });
  const lease = rawKeys.snapshotLease(SNAPSHOT);

  /** The snapshot lease every writing step takes, renews and frees (snapshot-lease.ts). */
  const leaseCalls = [
    call("read the snapshot lease", "s3:GetObjectCommand", raw(lease)),
    call("take the snapshot lease (conditional write)", "s3:PutObjectCommand", raw(lease)),
    call("free the snapshot lease", "s3:DeleteObjectsCommand", { bucket: n.raw, keys: [lease] }),
  ];
  const secretCalls = [
    call(
      "read the Spotify credentials (Middy, then fresh)",
      "secrets-manager:GetSecretValueCommand",
      {
        secret: n.secret,
      },
    ),
    call(
      "store a refreshed access token or rotated refresh token",
      "secrets-manager:PutSecretValueCommand",
      {
        secret: n.secret,
      },
    ),
  ];
  const tokenLease = [
    call("read the token refresh lease", "s3:GetObjectCommand", raw(rawKeys.tokenRefreshLease)),
    call("take the token refresh lease", "s3:PutObjectCommand", raw(rawKeys.tokenRefreshLease)),
    call("free the token refresh lease", "s3:DeleteObjectsCommand", {
      bucket: n.raw,
      keys: [rawKeys.tokenRefreshLease],
    }),
  ];
  const playlistPrefix = rawKeys.playlistPrefix(SNAPSHOT, PLAYLIST);
  const items = runItemsKey();
  const mapRunResult = mapRunResultKey("SUCCEEDED_0.json");
  const playlistsObject = functionEnvironment(model, "prepare-run").PLAYLISTS_OBJECT_KEY;
  const athena = {
    database: n.database,
    partitions: Object.fromEntries(
      LAKE_TABLES.map((table) => [table, lakeKeys.partitionPrefix(table, SNAPSHOT)]),
    ),
    lakeBucket: n.lake,
    resultsBucket: n.results,
    resultsPrefix: ATHENA_RESULTS_PREFIX,
  };
  const denyRawWrite = one("write Spotify data into the lake bucket", {
    action: "s3:PutObject",
    resource: s3Object(n.lake, lakeKeys.tableFile("songs_data", SNAPSHOT, VERSION, 0)),
  });

  return {
    "prepare-run": {
      calls: [
        call(
          "write the run's playlist items (the Distributed Map's ItemReader object)",
          "s3:PutObjectCommand",
          raw(items),
        ),
        ...(playlistsObject
          ? [
              call(
                "read the stage's playlist list object",
                "s3:GetObjectCommand",
                raw(playlistsObject),
              ),
              one("tell a missing playlist list (404) from a forbidden one", {
                action: "s3:ListBucket",
                resource: `arn:${PARTITION}:s3:::${n.raw}`,
              }),
            ]
          : []),
      ],
      mustDeny: [
        one("read the Spotify secret", {
          action: "secretsmanager:GetSecretValue",
          resource: n.secret,
        }),
        readRaw(n, "read raw data"),
        one("write a raw Spotify response", {
          action: "s3:PutObject",
          resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
        }),
        one("write a Map Run's results", {
          action: "s3:PutObject",
          resource: s3Object(n.raw, mapRunResult),
        }),
        one("delete the run's items", {
          action: "s3:DeleteObject",
          resource: s3Object(n.raw, items),
        }),
        one("read another object under config/", {
          action: "s3:GetObject",
          resource: s3Object(n.raw, "config/other-stage-playlists.json"),
        }),
      ],
    },
    "extract-playlist": {
      calls: [
        ...leaseCalls,
        ...secretCalls,
        ...tokenLease,
        call(
          "is the playlist already extracted (its manifest)?",
          "s3:GetObjectCommand",
          raw(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST)),
        ),
        call(
          "store the playlist as received",
          "s3:PutObjectCommand",
          raw(rawKeys.playlist(SNAPSHOT, PLAYLIST)),
        ),
        call(
          "store an items page as received",
          "s3:PutObjectCommand",
          raw(rawKeys.itemsPage(SNAPSHOT, PLAYLIST, 1)),
        ),
        call(
          "commit the playlist (manifest last)",
          "s3:PutObjectCommand",
          raw(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST)),
        ),
        call("list the playlist's folder for stale pages", "s3:ListObjectsV2Command", {
          bucket: n.raw,
          prefix: playlistPrefix,
        }),
        call("delete stale pages of an earlier attempt", "s3:DeleteObjectsCommand", {
          bucket: n.raw,
          keys: [rawKeys.itemsPage(SNAPSHOT, PLAYLIST, 7)],
        }),
      ],
      mustDeny: [
        denyRawWrite,
        one("write outside spotify/ and _leases/ in the raw bucket", {
          action: "s3:PutObject",
          resource: s3Object(n.raw, "other/playlist.json"),
        }),
        one("change the Spotify secret's policy", {
          action: "secretsmanager:PutResourcePolicy",
          resource: n.secret,
        }),
      ],
    },
    "extract-artists": {
      calls: [
        ...leaseCalls,
        ...secretCalls,
        ...tokenLease,
        call(
          "read each playlist's manifest and pages",
          "s3:GetObjectCommand",
          raw(rawKeys.itemsPage(SNAPSHOT, PLAYLIST, 0)),
        ),
        call("list the snapshot's playlists", "s3:ListObjectsV2Command", {
          bucket: n.raw,
          prefix: rawKeys.snapshotPrefix(SNAPSHOT),
        }),
        call("read the run's playlist items", "s3:GetObjectCommand", raw(items)),
        call(
          "read the ExtractPlaylists Map Run's manifest and results",
          "s3:GetObjectCommand",
          raw(mapRunResult),
        ),
        call(
          "store an artists response as received",
          "s3:PutObjectCommand",
          raw(rawKeys.artistsResponse(SNAPSHOT, 0)),
        ),
        call(
          "commit the artists (manifest last)",
          "s3:PutObjectCommand",
          raw(rawKeys.artistsManifest(SNAPSHOT)),
        ),
        call("delete stale artists responses", "s3:DeleteObjectsCommand", {
          bucket: n.raw,
          keys: [rawKeys.artistsResponse(SNAPSHOT, 9)],
        }),
      ],
      mustDeny: [denyRawWrite],
    },
    "transform-snapshot": {
      calls: [
        ...leaseCalls,
        call("list the snapshot's raw responses", "s3:ListObjectsV2Command", {
          bucket: n.raw,
          prefix: rawKeys.snapshotPrefix(SNAPSHOT),
        }),
        call(
          "read a raw response",
          "s3:GetObjectCommand",
          raw(rawKeys.itemsPage(SNAPSHOT, PLAYLIST, 0)),
        ),
        call("read the run's playlist items", "s3:GetObjectCommand", raw(items)),
        ...LAKE_TABLES.map((table) =>
          call(
            `write ${table}'s partition`,
            "s3:PutObjectCommand",
            lake(lakeKeys.tableFile(table, SNAPSHOT, VERSION, 0)),
          ),
        ),
        call(
          "set aside malformed entries",
          "s3:PutObjectCommand",
          lake(lakeKeys.quarantine(SNAPSHOT, VERSION)),
        ),
        call(
          "write the transform report",
          "s3:PutObjectCommand",
          lake(lakeKeys.transformReport(SNAPSHOT, VERSION)),
        ),
      ],
      mustDeny: [
        one("delete a published table file (only the publish step removes versions)", {
          action: "s3:DeleteObject",
          resource: s3Object(n.lake, lakeKeys.tableFile("songs_data", SNAPSHOT, VERSION, 0)),
        }),
        one("overwrite a raw response", {
          action: "s3:PutObject",
          resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
        }),
        one("delete a raw response", {
          action: "s3:DeleteObject",
          resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
        }),
        one("write into the Athena results bucket", {
          action: "s3:PutObject",
          resource: s3Object(n.results, `${ATHENA_RESULTS_PREFIX}x.csv`),
        }),
        one("read the Spotify secret", {
          action: "secretsmanager:GetSecretValue",
          resource: n.secret,
        }),
      ],
    },
    "crawl-lake": {
      calls: [
        ...LAKE_TABLES.map((table) =>
          call(`compare ${table}'s catalog schema`, "glue:GetTableCommand", {
            database: n.database,
            table,
          }),
        ),
        ...LAKE_TABLES.map((table) =>
          call(`register ${table}'s partition`, "glue:BatchCreatePartitionCommand", {
            database: n.database,
            table,
          }),
        ),
        ...LAKE_TABLES.map((table) =>
          call(
            `point ${table}'s partition at the new version`,
            "glue:BatchUpdatePartitionCommand",
            {
              database: n.database,
              table,
            },
          ),
        ),
        ...leaseCalls,
        call(
          "read the version's transform report",
          "s3:GetObjectCommand",
          lake(lakeKeys.transformReport(SNAPSHOT, VERSION)),
        ),
        ...LAKE_TABLES.map((table) =>
          call(`list ${table}'s versions of the hour`, "s3:ListObjectsV2Command", {
            bucket: n.lake,
            prefix: lakeKeys.partitionPrefix(table, SNAPSHOT),
          }),
        ),
        call("list the crawler's copy", "s3:ListObjectsV2Command", {
          bucket: n.lake,
          prefix: lakeKeys.crawlRoot,
        }),
        call(
          "read a version's file to copy it for the crawler",
          "s3:GetObjectCommand",
          lake(lakeKeys.tableFile("songs_data", SNAPSHOT, VERSION, 0)),
        ),
        call(
          "copy it for the crawler",
          "s3:PutObjectCommand",
          lake(`${lakeKeys.crawlPartitionPrefix("songs_data", SNAPSHOT)}part-00000.parquet`),
        ),
        call("clear the crawler's copy", "s3:DeleteObjectsCommand", {
          bucket: n.lake,
          keys: [`${lakeKeys.crawlPartitionPrefix("songs_data", SNAPSHOT)}part-00000.parquet`],
        }),
        call("record the publication", "s3:PutObjectCommand", lake(lakeKeys.publication(SNAPSHOT))),
        call("delete the hour's other versions", "s3:DeleteObjectsCommand", {
          bucket: n.lake,
          keys: [
            lakeKeys.tableFile("songs_data", SNAPSHOT, "fedcba9876543210", 0),
            lakeKeys.quarantine(SNAPSHOT, "fedcba9876543210"),
            lakeKeys.transformReport(SNAPSHOT, "fedcba9876543210"),
          ],
        }),
        call("start the crawler", "glue:StartCrawlerCommand", { crawler: n.crawler }),
        call("watch the crawler", "glue:GetCrawlerCommand", { crawler: n.crawler }),
      ],
      mustDeny: [
        one("delete a table", {
          action: "glue:DeleteTable",
          resource: `arn:${PARTITION}:glue:${model.region}:${model.account}:table/${n.database}/songs_data`,
        }),
        one("register partitions in another database", {
          action: "glue:BatchCreatePartition",
          resource: `arn:${PARTITION}:glue:${model.region}:${model.account}:database/other_db`,
        }),
        one("write raw Spotify data", {
          action: "s3:PutObject",
          resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
        }),
        one("start another crawler", {
          action: "glue:StartCrawler",
          resource: `arn:${PARTITION}:glue:${model.region}:${model.account}:crawler/other-crawler`,
        }),
      ],
    },
    "validate-snapshot": {
      calls: [
        call("start a check", "athena:StartQueryExecutionCommand", {
          workgroup: n.workgroup,
          athena,
        }),
        call("poll a check", "athena:GetQueryExecutionCommand", { workgroup: n.workgroup }),
        call("read a check's rows", "athena:GetQueryResultsCommand", {
          workgroup: n.workgroup,
          athena,
        }),
      ],
      mustDeny: [
        one("query through another workgroup (no cutoff, no enforced results location)", {
          action: "athena:StartQueryExecution",
          resource: `arn:${PARTITION}:athena:${model.region}:${model.account}:workgroup/primary`,
        }),
        readRaw(n, "read raw data"),
        readQuarantine(n, "read quarantined entries through Athena"),
        one("write into the lake", {
          action: "s3:PutObject",
          resource: s3Object(n.lake, lakeKeys.tableFile("songs_data", SNAPSHOT, VERSION, 0)),
        }),
      ],
    },
  };
}

/** The Lambda principals: each function's code calls plus what Lambda does with the role. */
export function lambdaPrincipals(model: StackModel): Principal[] {
  const calls = functionCalls(model);
  return PIPELINE_STEP_NAMES.map((step) => {
    const { roleArn, logGroupArn } = lambdaRole(model, step);
    return {
      name: `lambda ${step}`,
      principal: roleArn,
      roleArn,
      trustedService: { service: "lambda.amazonaws.com", context: {} },
      calls: [
        one("Lambda writes the function's logs", {
          action: "logs:CreateLogStream",
          resource: `${logGroupArn}:log-stream:2026/11/22/[$LATEST]0123456789abcdef`,
        }),
        one("Lambda writes the function's logs", {
          action: "logs:PutLogEvents",
          resource: `${logGroupArn}:log-stream:2026/11/22/[$LATEST]0123456789abcdef`,
        }),
        one("Lambda sends traces (Active tracing)", {
          action: "xray:PutTraceSegments",
          resource: "*",
        }),
        one("Lambda sends traces (Active tracing)", {
          action: "xray:PutTelemetryRecords",
          resource: "*",
        }),
        ...calls[step].calls,
      ],
      mustDeny: [
        one("write another function's logs", {
          action: "logs:PutLogEvents",
          resource: `arn:${PARTITION}:logs:${model.region}:${model.account}:log-group:/aws/lambda/other:log-stream:x`,
        }),
        ...calls[step].mustDeny,
      ],
    };
  });
}

/** The parts of a deployed Map state the Distributed Map's permissions depend on. */
interface DeployedMapState {
  Label?: string;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
}

/** The state machine, the scheduler, the crawler and CloudWatch alarms. */
export function servicePrincipals(model: StackModel): Principal[] {
  const n = names(model);
  const arn = (service: string, resource: string) =>
    `arn:${PARTITION}:${service}:${model.region}:${model.account}:${resource}`;
  const stateMachine = model.resources("aws_sfn_state_machine")[0]!;
  const stateMachineArn = arn("states", `stateMachine:${String(stateMachine.name)}`);
  const schedule = model.resources("aws_scheduler_schedule")[0]!;
  const target = schedule.target as {
    arn: string;
    role_arn: string;
    dead_letter_config: { arn: string };
  };
  const crawler = model.resources("aws_glue_crawler")[0]!;
  const sameAccount = { "aws:SourceAccount": model.account };

  // Every function a Task of the deployed definition invokes.
  const invoked = new Set<string>();
  JSON.stringify(JSON.parse(String(stateMachine.definition)), (key, value: unknown) => {
    if (key === "FunctionName" && typeof value === "string") invoked.add(value);
    return value;
  });

  // What Step Functions does with the role for each Distributed Map of the deployed definition
  // (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html and
  // .../redrive-map-run.html): start, watch and stop the child executions (redrive them when
  // they are Standard), read the items object (ItemReader) and write the results (ResultWriter,
  // a multipart upload). A child is `<state machine>/<Map Run label>:<id>`; without a Label in
  // the definition, AWS generates the label.
  const definition = JSON.parse(String(stateMachine.definition)) as {
    States: Record<string, DeployedMapState>;
  };
  const distributedMaps = Object.entries(definition.States).flatMap(([name, state]) =>
    state.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED"
      ? [
          {
            name,
            label: state.Label ?? "a1b2c3d4",
            type: state.ItemProcessor.ProcessorConfig.ExecutionType,
          },
        ]
      : [],
  );
  const smName = String(stateMachine.name);
  const childArn = (map: { label: string; type?: string }, label = map.label) =>
    map.type === "EXPRESS"
      ? arn(
          "states",
          `express:${smName}/${label}:0f3a5c1e-batch-7:5e6f7a8b-1234-4cde-9f00-0a1b2c3d4e5f`,
        )
      : arn("states", `execution:${smName}/${label}:0f3a5c1e-batch-7`);
  const items = runItemsKey();
  const distributedMapCalls = (map: { label: string; type?: string }): Call[] => [
    one("start a child execution (a batch of playlists)", {
      action: "states:StartExecution",
      resource: stateMachineArn,
    }),
    one("watch a child execution", {
      action: "states:DescribeExecution",
      resource: childArn(map),
    }),
    // IAM's StopExecution has no Express resource type.
    ...(map.type === "STANDARD"
      ? [
          one("stop a child execution (the Map Run failed or was stopped)", {
            action: "states:StopExecution",
            resource: childArn(map),
          }),
        ]
      : []),
    ...(map.type === "STANDARD"
      ? [
          one("redrive a failed child execution (Map Run redrive)", {
            action: "states:RedriveExecution",
            resource: childArn(map),
          }),
        ]
      : []),
    one("read the run's items (ItemReader)", {
      action: "s3:GetObject",
      resource: s3Object(n.raw, items),
    }),
    ...[
      "s3:PutObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:AbortMultipartUpload",
    ].flatMap((action) =>
      ["manifest.json", "SUCCEEDED_0.json", "FAILED_0.json"].map((file) =>
        one("write the Map Run's results (ResultWriter)", {
          action,
          resource: s3Object(n.raw, mapRunResultKey(file)),
        }),
      ),
    ),
  ];
  const distributedMapMustDeny = (map: { label: string; type?: string }): Call[] => [
    one("start another state machine", {
      action: "states:StartExecution",
      resource: arn("states", "stateMachine:spotify-lake-other-pipeline"),
    }),
    one("stop an execution of another state machine", {
      action: "states:StopExecution",
      resource: arn("states", "execution:spotify-lake-other-pipeline:run-1"),
    }),
    one("redrive its own parent execution (that is the operator's call)", {
      action: "states:RedriveExecution",
      resource: arn("states", `execution:${smName}:scheduled-2026-11-22T05`),
    }),
    ...(definitionHasLabel(map)
      ? [
          one("stop a child of another Map Run label", {
            action: "states:StopExecution",
            resource: childArn(map, "OtherMap"),
          }),
        ]
      : []),
    one("write outside the Map Run results prefix (a raw Spotify response)", {
      action: "s3:PutObject",
      resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
    }),
    one("overwrite the run's items (only PrepareRun writes them)", {
      action: "s3:PutObject",
      resource: s3Object(n.raw, items),
    }),
    one("read a raw Spotify response", {
      action: "s3:GetObject",
      resource: s3Object(n.raw, rawKeys.playlist(SNAPSHOT, PLAYLIST)),
    }),
    one("list the raw bucket (a JSON ItemReader reads one object)", {
      action: "s3:ListBucket",
      resource: `arn:${PARTITION}:s3:::${n.raw}`,
    }),
    one("write the Map Run's results into the lake bucket", {
      action: "s3:PutObject",
      resource: s3Object(n.lake, mapRunResultKey("SUCCEEDED_0.json")),
    }),
    one("delete a Map Run's results", {
      action: "s3:DeleteObject",
      resource: s3Object(n.raw, mapRunResultKey("SUCCEEDED_0.json")),
    }),
  ];
  const definitionHasLabel = (map: { label: string }) =>
    Object.values(definition.States).some((state) => state.Label === map.label);

  // Glue crawls each S3 target with the crawler's role: lists and reads its objects
  // (https://docs.aws.amazon.com/glue/latest/dg/crawler-prereqs.html).
  const targets = (crawler.s3_target as { path: string }[]).map((t) => {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(t.path);
    if (!match) throw new Error(`crawler target ${t.path} is not an s3:// path`);
    return { bucket: match[1]!, prefix: match[2]! };
  });
  const tableArn = (table: string) => arn("glue", `table/${n.database}/${table}`);
  const tableOf = (prefix: string) => prefix.replace(/\/$/, "").split("/").pop()!;
  const crawlerRole = String(crawler.role);
  const crawlerGlue = (action: string, table?: string) =>
    [
      arn("glue", "catalog"),
      arn("glue", `database/${n.database}`),
      ...(table ? [tableArn(table)] : []),
    ].map((resource) => ({ action, resource }));
  const crawlerLogs = arn("logs", `log-group:/aws-glue/crawlers:log-stream:${n.crawler}`);
  const alarmArn = arn(
    "cloudwatch",
    `alarm:${String(model.resources("aws_cloudwatch_metric_alarm")[0]!.alarm_name)}`,
  );
  const topicArn = arn("sns", `${String(model.resources("aws_sns_topic")[0]!.name)}`);
  const keyArn = String(model.resources("aws_sns_topic")[0]!.kms_master_key_id);
  const fromAlarm = { "aws:SourceAccount": model.account, "aws:SourceArn": alarmArn };

  return [
    {
      name: "state machine",
      principal: String(stateMachine.role_arn),
      roleArn: String(stateMachine.role_arn),
      trustedService: { service: "states.amazonaws.com", context: sameAccount },
      calls: [
        ...[...invoked].sort().map((fn) =>
          one(`a Task invokes ${fn.split(":").pop()}`, {
            action: "lambda:InvokeFunction",
            resource: fn,
          }),
        ),
        // Step Functions sets up the vended log delivery and sends traces with the role (the
        // actions its logging guide lists, restated here rather than read from the policy, so
        // the simulation checks the policy instead of repeating it).
        ...[
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ].map((action) => one("deliver execution logs", { action, resource: "*" })),
        ...[
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
        ].map((action) => one("trace executions", { action, resource: "*" })),
        ...distributedMaps.flatMap((map) => distributedMapCalls(map)),
      ],
      mustDeny: [
        one("invoke a function of another stage", {
          action: "lambda:InvokeFunction",
          resource: arn("lambda", "function:spotify-lake-other-transform-snapshot"),
        }),
        // Only a Distributed Map starts executions of the state machine (its children).
        ...(distributedMaps.length === 0
          ? [
              one("start itself again", {
                action: "states:StartExecution",
                resource: stateMachineArn,
              }),
            ]
          : distributedMapMustDeny(distributedMaps[0]!)),
      ],
    },
    {
      name: "scheduler",
      principal: target.role_arn,
      roleArn: target.role_arn,
      trustedService: { service: "scheduler.amazonaws.com", context: sameAccount },
      calls: [
        one("start the hourly run", { action: "states:StartExecution", resource: target.arn }),
        one("dead-letter a start that kept failing", {
          action: "sqs:SendMessage",
          resource: target.dead_letter_config.arn,
        }),
      ],
      mustDeny: [
        one("start another state machine", {
          action: "states:StartExecution",
          resource: arn("states", "stateMachine:other-pipeline"),
        }),
        one("dead-letter without TLS", {
          action: "sqs:SendMessage",
          resource: target.dead_letter_config.arn,
          context: { "aws:SecureTransport": "false" },
        }),
      ],
    },
    {
      name: "crawler",
      principal: crawlerRole,
      roleArn: crawlerRole,
      trustedService: { service: "glue.amazonaws.com", context: {} },
      calls: [
        ...crawlerGlue("glue:GetDatabase").map((r) => one("find the crawler's database", r)),
        ...targets.flatMap(({ bucket, prefix }) => {
          const table = tableOf(prefix);
          const file = `${prefix}snapshot_date=${SNAPSHOT.date}/snapshot_hour=${SNAPSHOT.hour}/part-00000.parquet`;
          return [
            one(`list ${prefix}`, {
              action: "s3:ListBucket",
              resource: `arn:${PARTITION}:s3:::${bucket}`,
              context: { "s3:prefix": prefix },
            }),
            one(`read ${file}`, { action: "s3:GetObject", resource: s3Object(bucket, file) }),
            ...[
              "glue:GetTable",
              "glue:CreateTable",
              "glue:UpdateTable",
              "glue:GetPartitions",
              "glue:BatchGetPartition",
              "glue:BatchCreatePartition",
              "glue:UpdatePartition",
              "glue:BatchUpdatePartition",
            ].flatMap((action) =>
              crawlerGlue(action, table).map((r) => one(`${action} for ${table}`, r)),
            ),
          ];
        }),
        one("write its log stream", { action: "logs:CreateLogStream", resource: crawlerLogs }),
        one("write its log stream", { action: "logs:PutLogEvents", resource: crawlerLogs }),
      ],
      mustDeny: [
        readRaw(n, "read raw Spotify data"),
        readQuarantine(n, "read quarantined entries (not a table)"),
        one("read the lake without TLS", {
          action: "s3:GetObject",
          resource: s3Object(targets[0]!.bucket, `${targets[0]!.prefix}x.parquet`),
          context: { "aws:SecureTransport": "false" },
        }),
        one("delete a table (delete behaviour is LOG)", {
          action: "glue:DeleteTable",
          resource: tableArn("songs_data"),
        }),
        one("create a partition index (disabled in its configuration)", {
          action: "glue:CreatePartitionIndex",
          resource: tableArn("songs_data"),
        }),
        one("write lake objects", {
          action: "s3:PutObject",
          resource: s3Object(n.lake, "songs_data/x.parquet"),
        }),
      ],
    },
    {
      name: "CloudWatch alarms → alert topic",
      principal: "cloudwatch.amazonaws.com",
      calls: [
        one("an alarm publishes its notification", {
          action: "sns:Publish",
          resource: topicArn,
          context: fromAlarm,
        }),
        one("SNS encrypts it with the topic's key on CloudWatch's behalf", {
          action: "kms:GenerateDataKey",
          resource: keyArn,
          context: fromAlarm,
        }),
        one("SNS decrypts the data key on CloudWatch's behalf", {
          action: "kms:Decrypt",
          resource: keyArn,
          context: fromAlarm,
        }),
      ],
      mustDeny: [
        one("another account's alarm uses the key", {
          action: "kms:GenerateDataKey",
          resource: keyArn,
          context: {
            "aws:SourceAccount": OTHER_ACCOUNT,
            "aws:SourceArn": `arn:${PARTITION}:cloudwatch:${model.region}:${OTHER_ACCOUNT}:alarm:x`,
          },
        }),
        one("another stage's alarm uses the key", {
          action: "kms:GenerateDataKey",
          resource: keyArn,
          context: {
            "aws:SourceAccount": model.account,
            "aws:SourceArn": arn("cloudwatch", "alarm:other-stage-failed"),
          },
        }),
        one("an alarm publishes without TLS", {
          action: "sns:Publish",
          resource: topicArn,
          context: { ...fromAlarm, "aws:SecureTransport": "false" },
        }),
        one("another stage's alarm publishes to the topic", {
          action: "sns:Publish",
          resource: topicArn,
          context: {
            "aws:SourceAccount": model.account,
            "aws:SourceArn": arn("cloudwatch", "alarm:other-stage-failed"),
          },
        }),
        one("another account's alarm publishes to the topic", {
          action: "sns:Publish",
          resource: topicArn,
          context: { "aws:SourceAccount": OTHER_ACCOUNT, "aws:SourceOwner": OTHER_ACCOUNT },
        }),
      ],
    },
  ];
}

/** Another account's principal, allowed everything by its own account, against our resources. */
export function otherAccountCalls(model: StackModel): Call[] {
  const n = names(model);
  return [
    readRaw(n, "read raw data"),
    one("read the lake", {
      action: "s3:GetObject",
      resource: s3Object(n.lake, lakeKeys.tableFile("songs_data", SNAPSHOT, VERSION, 0)),
    }),
    one("list the lake", { action: "s3:ListBucket", resource: `arn:${PARTITION}:s3:::${n.lake}` }),
    one("read the Spotify secret", { action: "secretsmanager:GetSecretValue", resource: n.secret }),
    one("decrypt with the alert key", {
      action: "kms:Decrypt",
      resource: String(model.resources("aws_sns_topic")[0]!.kms_master_key_id),
    }),
  ];
}

export const OTHER_ACCOUNT_PRINCIPAL = `arn:${PARTITION}:iam::${OTHER_ACCOUNT}:role/intruder`;
