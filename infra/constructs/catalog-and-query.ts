// Catalog and query: the Glue database and crawler that register the lake's Parquet tables
// and their hourly partitions, and the Athena workgroup (with its saved queries) that the
// validation step and people query them through.

import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCrawler } from "@cdktf/provider-aws/lib/glue-crawler";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { CrawlPolicy } from "../../functions/commons/config";
import { LAKE_TABLES } from "../../functions/commons/keys";
import { arn, type StageContext } from "../context";
import { assumeRolePolicy, policyJson } from "../iam";
import { PIPELINE_NAMED_QUERIES, type NamedQuerySpec } from "../named-queries";
import { ATHENA_RESULTS_PREFIX, type Storage } from "./storage";

/** Crawler configuration: one table per S3 target, partitions inherit the table's schema. */
export const CRAWLER_CONFIGURATION = {
  Version: 1.0,
  Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
  CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
  // Crawlers create partition indexes by default, which needs glue:CreatePartitionIndex and
  // glue:GetPartitionIndexes; every query already names the partition keys, so no index.
  CreatePartitionIndex: false,
} as const;

/** Glue crawlers of one account and region all write to this log group (not configurable). */
export const CRAWLER_LOG_GROUP = "/aws-glue/crawlers";

/** Glue actions of the crawler: read and register tables and partitions, never delete. */
const CRAWLER_GLUE_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
  "glue:CreatePartition",
  "glue:BatchCreatePartition",
  "glue:UpdatePartition",
  "glue:BatchUpdatePartition",
];

/**
 * How the crawler treats what it finds. Crawling every run, only new folders need a look
 * (cheaper), and Glue then forces both policies to LOG. Crawling only when a schema changed,
 * the crawl exists to update the tables' schemas: it must look at every folder and update
 * the catalog, or the changed schema would never land and every run would crawl again.
 */
export function crawlerBehaviour(policy: CrawlPolicy) {
  return policy === "every-run"
    ? {
        recrawlPolicy: { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" },
        schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
      }
    : {
        recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
        schemaChangePolicy: { updateBehavior: "UPDATE_IN_DATABASE", deleteBehavior: "LOG" },
      };
}

export interface CatalogAndQueryProps {
  readonly storage: Storage;
  /** Saved queries of the workgroup; defaults to the classic two. */
  readonly namedQueries?: readonly NamedQuerySpec[];
}

export class CatalogAndQuery extends Construct {
  readonly database: GlueCatalogDatabase;
  /** The database's name as plain text (views embed it; `database.name` is a token). */
  readonly databaseName: string;
  readonly crawler: GlueCrawler;
  readonly workgroup: AthenaWorkgroup;
  /** ARNs of the Glue catalog, the database and its tables (what table readers need). */
  readonly catalogArns: readonly string[];

  constructor(scope: Construct, id: string, context: StageContext, props: CatalogAndQueryProps) {
    super(scope, id);
    const { config, prefix } = context;
    const lake = props.storage.lake;

    // Glue and Athena names cannot hold hyphens comfortably (SQL identifiers).
    const databaseName = `${prefix.replace(/-/g, "_")}`;
    this.databaseName = databaseName;
    this.database = new GlueCatalogDatabase(this, "database", {
      name: databaseName,
      description:
        "Spotify playlist snapshots: songs_data, albums_data, artists_data, playlists_data.",
    });
    this.catalogArns = [
      arn(context, "glue", "catalog"),
      arn(context, "glue", `database/${databaseName}`),
      arn(context, "glue", `table/${databaseName}/*`),
    ];

    const crawlerName = `${prefix}-lake-crawler`;
    const crawlerRole = new IamRole(this, "crawler_role", {
      name: `${prefix}-crawler`,
      // No aws:SourceAccount condition: Glue's documented crawler role trusts
      // glue.amazonaws.com alone (https://docs.aws.amazon.com/glue/latest/dg/crawler-prereqs.html,
      // https://docs.aws.amazon.com/glue/latest/dg/define-crawler-configure-security-settings.html)
      // and Glue lists no confused-deputy keys it sends on AssumeRole, so a condition on a key
      // that may be absent would make the crawl fail to assume its role. A role cannot be
      // passed to another account's crawler (iam:PassRole is same-account), which is what the
      // condition would have guarded against.
      assumeRolePolicy: assumeRolePolicy("glue.amazonaws.com"),
    });
    if (config.crawlerLogGroup === "create") {
      new CloudwatchLogGroup(this, "crawler_logs", {
        name: CRAWLER_LOG_GROUP,
        retentionInDays: config.logRetentionDays,
      });
    }
    const crawlerLogGroup = arn(context, "logs", `log-group:${CRAWLER_LOG_GROUP}`);
    const crawlerPolicy = new IamRolePolicy(this, "crawler_policy", {
      name: "crawl-lake-tables",
      role: crawlerRole.id,
      policy: policyJson([
        {
          Sid: "ReadLakeTables",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          // The crawler's targets hold a copy of the version being published, nothing else.
          Resource: LAKE_TABLES.map((table) => `${lake.arn}/_crawl/${table}/*`),
        },
        {
          Sid: "ListLakeTables",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          // No s3:prefix condition: crawlers list folder by folder with prefixes that a
          // pattern like "songs_data/*" does not always match, and then skip them silently.
          Resource: [lake.arn],
        },
        {
          Sid: "RegisterTablesAndPartitions",
          Effect: "Allow",
          Action: CRAWLER_GLUE_ACTIONS,
          Resource: this.catalogArns,
        },
        {
          Sid: "WriteCrawlerLogs",
          Effect: "Allow",
          // No logs:CreateLogGroup: the group exists with a retention (see crawlerLogGroup).
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [crawlerLogGroup, `${crawlerLogGroup}:*`],
        },
      ]),
    });

    this.crawler = new GlueCrawler(this, "crawler", {
      name: crawlerName,
      description:
        "Registers the lake tables and their partitions; started by the crawl-lake function when a table is new or its schema changed (or every run, by the stage's crawl setting).",
      databaseName: this.database.name,
      role: crawlerRole.arn,
      // Table names are exactly the folder names: songs_data, albums_data, ...
      tablePrefix: "",
      // Only the tables (quarantine/ and _reports/ are not tables), and never the tables' own folders: the crawler would find every version there. The crawl
      // step copies the one it publishes to _crawl/<table>/ and points the partitions itself.
      s3Target: LAKE_TABLES.map((table) => ({ path: `s3://${lake.name}/_crawl/${table}/` })),
      configuration: JSON.stringify(CRAWLER_CONFIGURATION),
      ...crawlerBehaviour(config.crawl),
      // Glue checks the role can read the targets when the crawler is created.
      dependsOn: [crawlerPolicy],
    });

    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: prefix,
      description: "Queries of the Spotify lake; results encrypted and scans capped per query.",
      state: "ENABLED",
      // Terraform owns the saved queries; let a stage be destroyed without manual cleanup.
      forceDestroy: true,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
        resultConfiguration: {
          outputLocation: `s3://${props.storage.athenaResults.name}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: "SSE_S3" },
        },
      },
    });

    for (const query of props.namedQueries ?? PIPELINE_NAMED_QUERIES) {
      new AthenaNamedQuery(this, `query_${query.name.replace(/-/g, "_")}`, {
        name: query.name,
        description: query.description,
        database: this.database.name,
        workgroup: this.workgroup.name,
        query: query.query,
      });
    }
  }

  get crawlerArn(): string {
    return this.crawler.arn;
  }
}
