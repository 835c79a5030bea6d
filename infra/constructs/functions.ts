// Functions: the six Middy Lambdas of the pipeline, one per step of statemachine/pipeline.ts,
// with the size and permissions of each step (tables keyed by the step, so a new step cannot
// deploy without both). Each gets its own role with only the actions it needs on the
// resources it touches, its own log group (created here, with a retention, so the role needs
// no logs:CreateLogGroup), X-Ray tracing and arm64.

import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { LAKE_SIDE_FOLDERS, LAKE_TABLES } from "../../functions/commons/keys";
import { PIPELINE_STEP_NAMES, type PipelineStep } from "../../statemachine/pipeline";
import type { FunctionBundle } from "../bundle";
import type { StageContext } from "../context";
import { assumeRolePolicy, policyJson, type PolicyStatement } from "../iam";
import type { CatalogAndQuery } from "./catalog-and-query";
import type { SpotifySecret } from "./spotify-secret";
import {
  ATHENA_RESULTS_PREFIX,
  RUN_ITEMS_OBJECTS,
  type PrivateBucket,
  type Storage,
} from "./storage";

/** How one step's Lambda is deployed (what it is called by comes from the contract). */
interface FunctionSettings {
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

export interface PipelineFunctionSpec extends FunctionSettings {
  readonly name: PipelineStep;
}

const FUNCTION_SETTINGS: Readonly<Record<PipelineStep, FunctionSettings>> = {
  "prepare-run": {
    description:
      "Validates the execution input, fixes the run's snapshot hour and playlists and writes the extraction's items.",
    memoryMb: 256,
    // Reads the playlist list object (10,000 ids, ~250 KB) and writes the items object.
    timeoutSeconds: 30,
  },
  "extract-playlist": {
    description: "Stores a batch of playlists' Spotify responses in the raw bucket.",
    memoryMb: 512,
    // For a batch of one; a stage's batch adds EXTRACT_SECONDS_PER_PLAYLIST per playlist.
    timeoutSeconds: 120,
  },
  "extract-artists": {
    description: "Stores the Spotify artist responses of the snapshot's tracks in the raw bucket.",
    memoryMb: 512,
    // At 10,000 playlists it reads every playlist's manifest and pages (~20,000 GETs) and
    // may fetch a first hour's ~20,000 artists: Lambda's maximum, which costs only if used.
    timeoutSeconds: 900,
  },
  "transform-snapshot": {
    description: "Turns a snapshot's raw responses into the lake's Parquet tables.",
    // 1769 MB is one full vCPU. Sized for 10,000 playlists (up to 1M entries): the bench's
    // 1M-entry transform takes 25.5 s at 436 MiB peak RSS on one core (docs/benchmarks.md,
    // sections 1-2), plus ~20,000 raw GETs 16 at a time: about 1.5 minutes of the 15.
    memoryMb: 1769,
    timeoutSeconds: 900,
  },
  "crawl-lake": {
    description: "Starts the Glue crawler and reports its progress.",
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  "validate-snapshot": {
    description: "Runs the snapshot's Athena checks and reports their results.",
    memoryMb: 256,
    timeoutSeconds: 60,
  },
};

/**
 * Worst case of one more playlist in an extract batch: a full fetch of a 10,000-track playlist
 * in extended mode is 100 pages at ~150 ms each, plus its S3 writes. A long 429 does not
 * count: the function returns and the state machine waits (SpotifyRateLimitWaitRequested).
 */
export const EXTRACT_SECONDS_PER_PLAYLIST = 20;
/** Lambda's maximum timeout. */
const MAX_TIMEOUT_SECONDS = 900;

/** The extract function's timeout for batches of `batchSize` playlists. */
export function extractPlaylistTimeoutSeconds(batchSize: number): number {
  const base = FUNCTION_SETTINGS["extract-playlist"].timeoutSeconds;
  return Math.min(MAX_TIMEOUT_SECONDS, base + (batchSize - 1) * EXTRACT_SECONDS_PER_PLAYLIST);
}

/** One Lambda per pipeline step, in PIPELINE_STEPS order. */
export const PIPELINE_FUNCTIONS: readonly PipelineFunctionSpec[] = PIPELINE_STEP_NAMES.map(
  (step) => ({ name: step, ...FUNCTION_SETTINGS[step] }),
);

/** Folders of the lake bucket the transform writes (under a version) and publishing cleans. */
const LAKE_WRITE_PREFIXES = [
  ...LAKE_TABLES,
  LAKE_SIDE_FOLDERS.quarantine,
  LAKE_SIDE_FOLDERS.reports,
];
/** The crawler's copy of the version being published (lakeKeys.crawlRoot). */
const CRAWL_COPY_PREFIX = LAKE_SIDE_FOLDERS.crawl;
/** The publication records (lakeKeys.publication). */
const PUBLISHED_PREFIX = LAKE_SIDE_FOLDERS.published;
const RAW_PREFIX = "spotify";
/** The snapshot lease (rawKeys.snapshotLease): every writing step takes, renews and frees it. */
const LEASE_PREFIX = "_leases";
const leaseAccess = (raw: Storage["raw"]) =>
  objectAccess(
    "SnapshotLease",
    raw,
    [LEASE_PREFIX],
    ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
  );

export interface FunctionsProps {
  readonly storage: Storage;
  readonly secret: SpotifySecret;
  readonly catalog: CatalogAndQuery;
  /** One bundle per pipeline step (see bundleFunctions). */
  readonly bundles: readonly FunctionBundle[];
}

export class Functions extends Construct {
  readonly byName: ReadonlyMap<PipelineStep, LambdaFunction>;

  constructor(scope: Construct, id: string, context: StageContext, props: FunctionsProps) {
    super(scope, id);
    const { storage, secret, catalog } = props;
    const { raw, lake, athenaResults } = storage;
    const { config } = context;

    const common = { POWERTOOLS_SERVICE_NAME: "spotify-lake", POWERTOOLS_LOG_LEVEL: "INFO" };
    const spotifyEnvironment = {
      RAW_BUCKET: raw.name,
      SPOTIFY_SECRET_ID: secret.arn,
      SPOTIFY_APP_MODE: context.config.spotifyAppMode,
    };
    const spotifyAccess = [
      ...objectAccess(
        "RawSpotifyObjects",
        raw,
        [RAW_PREFIX],
        ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
      ),
      ...leaseAccess(raw),
      {
        Sid: "ReadAndRotateSpotifyCredentials",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
        Resource: [secret.arn],
      } satisfies PolicyStatement,
    ];

    const access: Record<
      PipelineStep,
      { environment: Record<string, string>; statements: PolicyStatement[] }
    > = {
      "prepare-run": {
        environment: {
          ...(config.playlistsObjectKey
            ? { PLAYLISTS_OBJECT_KEY: config.playlistsObjectKey }
            : { PLAYLIST_IDS: config.playlists.join(",") }),
          UNAVAILABLE_PLAYLISTS: config.unavailablePlaylists,
          RAW_BUCKET: raw.name,
          EXTRACT_CONCURRENCY: String(config.extractConcurrency),
          EXTRACT_BATCH_SIZE: String(config.extractBatchSize),
        },
        statements: [
          // The items of the run's Distributed Map (rawKeys.playlistItems), nothing else.
          {
            Sid: "WriteRunItems",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [`${raw.arn}/${RUN_ITEMS_OBJECTS}`],
          },
          ...(config.playlistsObjectKey
            ? objectAccess("PlaylistList", raw, [], ["s3:GetObject"], {}, [
                `${raw.arn}/${config.playlistsObjectKey}`,
              ])
            : []),
        ],
      },
      "extract-playlist": { environment: spotifyEnvironment, statements: spotifyAccess },
      "extract-artists": {
        environment: {
          ...spotifyEnvironment,
          ARTIST_MAX_AGE_HOURS: String(context.config.artistMaxAgeHours),
        },
        statements: spotifyAccess,
      },
      "transform-snapshot": {
        environment: { RAW_BUCKET: raw.name, LAKE_BUCKET: lake.name },
        statements: [
          ...objectAccess("RawSpotifyObjects", raw, [RAW_PREFIX], ["s3:GetObject"]),
          ...leaseAccess(raw),
          // Writes a new version only: it never reads or deletes the lake (publishing does).
          ...objectAccess("LakeObjects", lake, LAKE_WRITE_PREFIXES, ["s3:PutObject"], {
            list: false,
          }),
        ],
      },
      "crawl-lake": {
        environment: {
          CRAWLER_NAME: catalog.crawler.name,
          GLUE_DATABASE: catalog.database.name,
          LAKE_BUCKET: lake.name,
          RAW_BUCKET: raw.name,
          CRAWL_POLICY: context.config.crawl,
        },
        statements: [
          // Publishing: read the version (its report and files), delete the hour's other
          // versions, copy the version for the crawler, write the publication record; and
          // hold the snapshot's lease until then.
          ...objectAccess("LakeVersions", lake, LAKE_WRITE_PREFIXES, [
            "s3:GetObject",
            "s3:DeleteObject",
          ]),
          ...objectAccess(
            "CrawlerCopy",
            lake,
            [CRAWL_COPY_PREFIX],
            ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            { list: false },
          ),
          ...objectAccess("PublicationRecords", lake, [PUBLISHED_PREFIX], ["s3:PutObject"], {
            list: false,
          }),
          ...leaseAccess(raw),
          {
            Sid: "StartAndWatchCrawler",
            Effect: "Allow",
            Action: ["glue:StartCrawler", "glue:GetCrawler"],
            Resource: [catalog.crawlerArn],
          },
          {
            // Compare each table's schema with the transform's, and point the hour's
            // partitions at the published version: new ones created, existing ones moved.
            Sid: "RegisterPartitions",
            Effect: "Allow",
            Action: ["glue:GetTable", "glue:BatchCreatePartition", "glue:BatchUpdatePartition"],
            Resource: [...catalog.catalogArns],
          },
        ],
      },
      "validate-snapshot": {
        environment: {
          ATHENA_WORKGROUP: catalog.workgroup.name,
          GLUE_DATABASE: catalog.database.name,
        },
        statements: [
          {
            Sid: "RunAthenaQueries",
            Effect: "Allow",
            Action: [
              "athena:StartQueryExecution",
              "athena:GetQueryExecution",
              "athena:GetQueryResults",
            ],
            Resource: [catalog.workgroup.arn],
          },
          {
            Sid: "ReadLakeCatalog",
            Effect: "Allow",
            Action: [
              "glue:GetDatabase",
              "glue:GetTable",
              "glue:GetTables",
              "glue:GetPartition",
              "glue:GetPartitions",
              "glue:BatchGetPartition",
            ],
            Resource: [...catalog.catalogArns],
          },
          ...objectAccess("LakeTables", lake, [...LAKE_TABLES], ["s3:GetObject"]),
          {
            Sid: "LocateLakeBucket",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation"],
            Resource: [lake.arn],
          },
          {
            Sid: "WriteAthenaResults",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            Resource: [`${athenaResults.arn}/${ATHENA_RESULTS_PREFIX}*`],
          },
          {
            Sid: "ListAthenaResults",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: [athenaResults.arn],
          },
        ],
      },
    };

    const bundles = new Map(props.bundles.map((bundle) => [bundle.name, bundle]));
    const byName = new Map<PipelineStep, LambdaFunction>();
    for (const spec of PIPELINE_FUNCTIONS) {
      const bundle = bundles.get(spec.name);
      if (!bundle) throw new Error(`no bundle was built for function ${spec.name}`);
      const { environment, statements } = access[spec.name];
      byName.set(
        spec.name,
        this.pipelineFunction(context, spec, bundle, { ...environment, ...common }, statements),
      );
    }
    this.byName = byName;
  }

  /** The function of a pipeline step (throws on an unknown name, which tsc already refuses). */
  get(name: PipelineStep): LambdaFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`unknown pipeline function ${name}`);
    return fn;
  }

  private pipelineFunction(
    context: StageContext,
    spec: PipelineFunctionSpec,
    bundle: FunctionBundle,
    environment: Record<string, string>,
    statements: readonly PolicyStatement[],
  ): LambdaFunction {
    const id = spec.name.replace(/-/g, "_");
    const functionName = `${context.prefix}-${spec.name}`;

    const logGroup = new CloudwatchLogGroup(this, `${id}_logs`, {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: context.config.logRetentionDays,
    });
    const role = new IamRole(this, `${id}_role`, {
      name: `${functionName}-lambda`,
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
    });
    const rolePolicy = new IamRolePolicy(this, `${id}_policy`, {
      name: spec.name,
      role: role.id,
      policy: policyJson([
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [`${logGroup.arn}:*`],
        },
        {
          Sid: "SendTraces",
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          Resource: ["*"],
        },
        ...statements,
      ]),
    });

    const asset = new TerraformAsset(this, `${id}_code`, {
      path: bundle.dir,
      type: AssetType.ARCHIVE,
    });
    return new LambdaFunction(this, id, {
      functionName,
      description: spec.description,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: bundle.sha256,
      memorySize: spec.memoryMb,
      timeout:
        spec.name === "extract-playlist"
          ? extractPlaylistTimeoutSeconds(context.config.extractBatchSize)
          : spec.timeoutSeconds,
      environment: { variables: environment },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      // The role must be able to write logs before the first invocation.
      dependsOn: [rolePolicy],
    });
  }
}

/**
 * Object actions under some folders of a bucket, plus ListBucket on the bucket. ListBucket
 * carries no s3:prefix condition on purpose: S3 answers a GetObject of a missing key with 404
 * only to callers allowed to list the bucket (403 otherwise), and the pipeline relies on that
 * 404 to tell "not extracted yet" or "no lease" from a real permission error.
 */
function objectAccess(
  sid: string,
  bucket: PrivateBucket,
  prefixes: readonly string[],
  actions: readonly string[],
  options: { list?: boolean } = {},
  objects: readonly string[] = [],
): PolicyStatement[] {
  const access: PolicyStatement = {
    Sid: `${sid}Access`,
    Effect: "Allow",
    Action: actions,
    Resource: [...prefixes.map((prefix) => `${bucket.arn}/${prefix}/*`), ...objects],
  };
  if (options.list === false) return [access];
  return [
    access,
    { Sid: `${sid}List`, Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket.arn] },
  ];
}
