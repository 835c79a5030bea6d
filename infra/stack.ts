// One deployment stage of the pipeline: provider, state backend and the five building
// blocks (storage, functions, orchestration, catalog and query, monitoring), the optional
// Snowflake side when the stage configures it, plus the outputs an operator needs after a deploy.

import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import path from "node:path";
import { REPO_ROOT, type FunctionBundle } from "./bundle";
import type { StageConfig } from "./config";
import { CatalogAndQuery } from "./constructs/catalog-and-query";
import { Functions } from "./constructs/functions";
import { HistoryViews } from "./constructs/history-views";
import { Monitoring } from "./constructs/monitoring";
import { Orchestration } from "./constructs/orchestration";
import { SnowflakeLake } from "./constructs/snowflake-lake";
import { SpotifySecret } from "./constructs/spotify-secret";
import { Storage } from "./constructs/storage";
import { createStageContext, PROJECT } from "./context";
import { PIPELINE_NAMED_QUERIES, type NamedQuerySpec } from "./named-queries";

export interface SpotifyLakeStackProps {
  readonly config: StageConfig;
  /** The six function bundles (bundleFunctions(PIPELINE_STEP_NAMES)). */
  readonly bundles: readonly FunctionBundle[];
  /** Extra saved Athena queries, added to the classic two. */
  readonly extraNamedQueries?: readonly NamedQuerySpec[];
  /** Definition template of the state machine; defaults to statemachine/pipeline.asl.json. */
  readonly definitionFile?: string;
}

/** Terraform CLI versions the synthesized stack accepts. */
export const TERRAFORM_REQUIRED_VERSION = ">= 1.10";
/** AWS provider versions the synthesized stack accepts: both 5.100.0 and 6.25.0. */
export const AWS_PROVIDER_VERSIONS = ">= 5.100.0, < 7.0.0";

/** Stack name of a stage: `spotify-lake-<stage>` (also its folder under cdktf.out/stacks). */
export const stackNameOf = (stage: string) => `${PROJECT}-${stage}`;

export class SpotifyLakeStack extends TerraformStack {
  readonly storage: Storage;
  readonly secret: SpotifySecret;
  readonly catalog: CatalogAndQuery;
  readonly historyViews: HistoryViews;
  readonly functions: Functions;
  readonly orchestration: Orchestration;
  readonly monitoring: Monitoring;
  /** Only when the stage configures `snowflake`. */
  readonly snowflake: SnowflakeLake | undefined;

  constructor(scope: Construct, id: string, props: SpotifyLakeStackProps) {
    super(scope, id);
    const { config } = props;

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { project: PROJECT, stage: config.stage, "managed-by": "cdktf" } }],
    });
    this.configureBackend(id, config);
    // S3-native state locking (use_lockfile) needs Terraform 1.10; say so before init fails.
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    // The bindings were generated from provider 6.25.0 and pin it exactly; the JSON they
    // write uses nothing 6.x added, so 5.100 (the last 5.x, what offline machines have) works too.
    this.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_VERSIONS);

    const context = createStageContext(this, config);
    this.storage = new Storage(this, "storage", context);
    this.secret = new SpotifySecret(this, "spotify_secret", context);
    this.catalog = new CatalogAndQuery(this, "catalog_and_query", context, {
      storage: this.storage,
      ...(props.extraNamedQueries
        ? { namedQueries: [...PIPELINE_NAMED_QUERIES, ...props.extraNamedQueries] }
        : {}),
    });
    this.historyViews = new HistoryViews(this, "history_views", { catalog: this.catalog });
    this.functions = new Functions(this, "functions", context, {
      storage: this.storage,
      secret: this.secret,
      catalog: this.catalog,
      bundles: props.bundles,
    });
    this.orchestration = new Orchestration(this, "orchestration", context, {
      functions: this.functions,
      storage: this.storage,
      ...(props.definitionFile ? { definitionFile: props.definitionFile } : {}),
    });
    this.monitoring = new Monitoring(this, "monitoring", context, {
      functions: this.functions,
      orchestration: this.orchestration,
    });
    this.snowflake = config.snowflake
      ? new SnowflakeLake(this, "snowflake", context, {
          storage: this.storage,
          settings: config.snowflake,
        })
      : undefined;

    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    output(
      "state_machine_arn",
      this.orchestration.stateMachine.arn,
      "Pipeline state machine ARN (aws stepfunctions start-execution --state-machine-arn).",
    );
    output("raw_bucket_name", this.storage.raw.name, "Bucket of the raw Spotify responses.");
    output("lake_bucket_name", this.storage.lake.name, "Bucket of the Parquet lake tables.");
    output(
      "athena_results_bucket_name",
      this.storage.athenaResults.name,
      "Bucket of Athena query results.",
    );
    output("glue_database_name", this.catalog.database.name, "Glue database of the lake tables.");
    output("glue_crawler_name", this.catalog.crawler.name, "Glue crawler of the lake tables.");
    output(
      "athena_workgroup_name",
      this.catalog.workgroup.name,
      "Athena workgroup to query the lake with.",
    );
    output(
      "spotify_secret_arn",
      this.secret.arn,
      "Secret to fill with the Spotify credentials (aws secretsmanager put-secret-value --secret-id).",
    );
    output("alert_topic_arn", this.monitoring.topic.arn, "SNS topic the alarms notify.");
    output(
      "schedule_dead_letter_queue_url",
      this.orchestration.deadLetterQueue.url,
      "Queue of scheduled starts that failed.",
    );
    if (this.snowflake) {
      output(
        "snowflake_database",
        this.snowflake.database.name,
        "Snowflake database of the lake's views (schema LAKE).",
      );
      output(
        "snowflake_lake_role_arn",
        this.snowflake.role.arn,
        "IAM role Snowflake's storage integration assumes to read the lake.",
      );
    }
  }

  private configureBackend(stackName: string, config: StageConfig): void {
    const backend = config.backend;
    if (backend.type === "s3") {
      const s3 = new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no typed option for it.
      s3.addOverride("use_lockfile", true);
      return;
    }
    // Terraform runs in cdktf.out/stacks/<stack>; the state file lives at the repository
    // root (relative, so the synth is the same on every machine) and survives a new synth.
    const stackDir = path.join(REPO_ROOT, "cdktf.out", "stacks", stackName);
    new LocalBackend(this, {
      path: path.relative(stackDir, path.join(REPO_ROOT, backend.path)).split(path.sep).join("/"),
    });
  }
}
