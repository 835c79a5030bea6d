// Specification of the optional Snowflake side of a stage, read from the synthesized Terraform
// JSON: off unless the stage configures it; on, the integration and its IAM role (trust cycle
// solved in one apply, reads limited to the lake's table folders and _published/), database,
// schema, warehouse, Parquet format, stage, one typed load table + auto-ingest pipe + view per
// lake table, and the lake bucket's notification pointing at the pipes' queue.
//
// `terraform validate` of this part is not possible here: the Snowflake provider plugin is not
// in the offline plugin mirror (only the AWS one is), so these checks are kept strict instead.

import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAKE_TABLES, type LakeTable } from "../../functions/commons/keys";
import { schemaElements, type ColumnSpec } from "../../functions/core/transform/columns";
import { TABLE_COLUMNS } from "../../functions/core/transform/tables";
import type { FunctionBundle } from "../../infra/bundle";
import { loadStageConfig, parseStageConfig, STAGES_DIR } from "../../infra/config";
import { SNOWFLAKE_PREVIEW_FEATURES } from "../../infra/constructs/snowflake-lake";
import { CLASSIC_NAMED_QUERIES } from "../../infra/named-queries";
import {
  asList,
  onlyResource,
  policyDocuments,
  resourcesOf,
  scratchFolder,
  sharedBundles,
  stageConfig,
  synthStage,
  type Statement,
  type Synth,
} from "./synth-support";

type SynthWithProviders = Synth & {
  provider: Record<string, Record<string, unknown>[]>;
  terraform: { required_providers: Record<string, { source: string; version: string }> };
};

const scratch = scratchFolder("snowflake");
let bundles: FunctionBundle[];
let off: SynthWithProviders;
let on: SynthWithProviders;

const SNOWFLAKE = { organizationName: "ACME", accountName: "LAKE_TEST" };

beforeAll(async () => {
  bundles = await sharedBundles();
  off = synthStage(stageConfig(), bundles) as SynthWithProviders;
  on = synthStage(stageConfig({ snowflake: SNOWFLAKE }), bundles) as SynthWithProviders;
});
afterAll(() => scratch.cleanup());

const ref = (type: string, id: string, attribute: string) => `\${${type}.${id}.${attribute}}`;
const snowflakeTypes = (synth: Synth) =>
  Object.keys(synth.resource).filter((type) => type.startsWith("snowflake_"));

/** The logical id of the resource of `type` whose `name` is `name`. */
function idNamed(type: string, name: string): string {
  const ids = Object.entries(resourcesOf(on, type))
    .filter(([, resource]) => resource.name === name)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${ids.length}`);
  return ids[0]!;
}
const fqn = (type: string, name: string) => ref(type, idNamed(type, name), "fully_qualified_name");
const lakeBucketId = () =>
  Object.keys(resourcesOf(on, "aws_s3_bucket")).find((id) => id.includes("lake"))!;
const lakeArn = () => ref("aws_s3_bucket", lakeBucketId(), "arn");
const lakeName = () => ref("aws_s3_bucket", lakeBucketId(), "bucket");

/** What a Parquet column of the lake is in Snowflake, read from the Parquet schema itself. */
function expectedSnowflakeType(column: ColumnSpec): string {
  const [root] = schemaElements(column);
  if (root!.converted_type === "LIST") return "ARRAY";
  if (root!.converted_type === "TIMESTAMP_MILLIS") return "TIMESTAMP_NTZ(3)";
  if (root!.type === "BYTE_ARRAY" && root!.converted_type === "UTF8") return "VARCHAR";
  if (root!.type === "INT32") return "NUMBER(10,0)";
  if (root!.type === "INT64") return "NUMBER(19,0)";
  if (root!.type === "BOOLEAN") return "BOOLEAN";
  throw new Error(`no Snowflake type for ${JSON.stringify(root)}`);
}
const isNullableInParquet = (column: ColumnSpec) =>
  schemaElements(column)[0]!.repetition_type === "OPTIONAL";

describe("Snowflake off (no `snowflake` in the stage)", () => {
  it("has no Snowflake resource, provider or provider requirement", () => {
    expect(snowflakeTypes(off)).toEqual([]);
    expect(off.provider.snowflake).toBeUndefined();
    expect(off.terraform.required_providers.snowflake).toBeUndefined();
    expect(JSON.stringify(off)).not.toMatch(/snowflake/i);
  });

  it("leaves the lake bucket without notifications and outputs nothing of Snowflake", () => {
    expect(resourcesOf(off, "aws_s3_bucket_notification")).toEqual({});
    expect(Object.keys(off.output).filter((name) => name.startsWith("snowflake"))).toEqual([]);
  });

  it("is how both shipped stages come", () => {
    expect(loadStageConfig("dev").snowflake).toBeUndefined();
    const prod = JSON.parse(readFileSync(path.join(STAGES_DIR, "prod.json"), "utf8"));
    expect(prod.snowflake).toBeUndefined();
  });
});

describe("Snowflake settings of a stage", () => {
  const parse = (snowflake: unknown) =>
    parseStageConfig(
      {
        stage: "dev",
        region: "eu-west-1",
        playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
        backend: { type: "local", path: "terraform.spotify-lake-dev.tfstate" },
        snowflake,
      },
      "dev.json",
    );

  it("fills the role, warehouse size and auto-suspend defaults", () => {
    expect(parse(SNOWFLAKE).snowflake).toEqual({
      ...SNOWFLAKE,
      role: "ACCOUNTADMIN",
      warehouseSize: "XSMALL",
      autoSuspendSeconds: 60,
    });
    expect(parse(null).snowflake).toBeUndefined();
  });

  it("names every bad setting, and accepts no credentials", () => {
    expect(() =>
      parse({
        organizationName: "acme corp",
        accountName: "",
        warehouseSize: "HUGE",
        autoSuspendSeconds: 0,
        password: "hunter2",
      }),
    ).toThrow(
      /snowflake\.password is not a known setting.*snowflake\.organizationName must be a Snowflake identifier.*snowflake\.accountName must be.*snowflake\.warehouseSize must be one of XSMALL, SMALL, MEDIUM, LARGE.*snowflake\.autoSuspendSeconds must be a whole number of seconds from 60/,
    );
    expect(() => parse("yes")).toThrow(/snowflake must be null or/);
  });
});

describe("Snowflake on: provider", () => {
  it("pins provider 2.11.0 and configures the account, the role and the preview resources, never a credential", () => {
    expect(on.terraform.required_providers.snowflake).toEqual({
      source: "snowflakedb/snowflake",
      version: "2.11.0",
    });
    expect(on.provider.snowflake).toEqual([
      {
        organization_name: "ACME",
        account_name: "LAKE_TEST",
        role: "ACCOUNTADMIN",
        preview_features_enabled: [...SNOWFLAKE_PREVIEW_FEATURES],
      },
    ]);
    expect(JSON.stringify(on)).not.toMatch(/password|private_key|"token"|passcode|client_secret/i);
  });

  it("enables every preview resource it uses (the provider refuses the others)", () => {
    const stable = [
      "snowflake_database",
      "snowflake_schema",
      "snowflake_warehouse",
      "snowflake_view",
    ];
    const preview = snowflakeTypes(on).filter((type) => !stable.includes(type));
    expect(preview.sort()).toEqual(
      [...SNOWFLAKE_PREVIEW_FEATURES].map((f) => f.replace(/_resource$/, "")).sort(),
    );
  });

  it("outputs the database and the role, nothing secret", () => {
    expect(on.output.snowflake_database!.value).toBe(
      ref("snowflake_database", idNamed("snowflake_database", "SPOTIFY_LAKE_TEST"), "name"),
    );
    expect(on.output.snowflake_lake_role_arn!.value).toMatch(/^\$\{aws_iam_role\.snowflake_role_/);
  });
});

describe("Snowflake on: storage integration and its IAM role", () => {
  const integration = () => onlyResource(on, "snowflake_storage_integration");
  const roleId = () =>
    Object.entries(resourcesOf(on, "aws_iam_role")).find(
      ([, role]) => role.name === "spotify-lake-test-snowflake-lake",
    )![0];
  const roleStatements = (): Statement[] => {
    const policies = Object.values(resourcesOf(on, "aws_iam_role_policy")).filter(
      (policy) => policy.role === ref("aws_iam_role", roleId(), "id"),
    );
    expect(policies).toHaveLength(1);
    return JSON.parse(policies[0]!.policy as string).Statement;
  };
  const loadedPrefixes = [...LAKE_TABLES.map((t) => `${t}/`), "_published/"];

  it("names the role by a fixed ARN from the account id, so the integration does not depend on the role", () => {
    expect(integration()).toMatchObject({
      name: "SPOTIFY_LAKE_TEST_LAKE",
      type: "EXTERNAL_STAGE",
      storage_provider: "S3",
      enabled: true,
      storage_aws_role_arn:
        "arn:${data.aws_partition.current_partition.partition}:iam::${data.aws_caller_identity.current_account.account_id}:role/spotify-lake-test-snowflake-lake",
      storage_aws_external_id: "spotify-lake-test-snowflake-lake",
    });
    expect(JSON.stringify(integration())).not.toContain("aws_iam_role");
    expect(integration().depends_on).toBeUndefined();
  });

  it("allows the lake bucket and blocks the folders that are not tables", () => {
    expect(integration().storage_allowed_locations).toEqual([`s3://${lakeName()}/`]);
    expect(integration().storage_blocked_locations).toEqual(
      ["_crawl/", "quarantine/", "_reports/"].map((p) => `s3://${lakeName()}/${p}`),
    );
  });

  it("lets only the integration's IAM user assume the role, with the integration's external id", () => {
    const role = resourcesOf(on, "aws_iam_role")[roleId()]!;
    const integrationId = Object.keys(resourcesOf(on, "snowflake_storage_integration"))[0]!;
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      {
        Sid: "TrustSnowflakeIntegration",
        Effect: "Allow",
        Principal: {
          AWS: ref("snowflake_storage_integration", integrationId, "storage_aws_iam_user_arn"),
        },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "sts:ExternalId": integration().storage_aws_external_id } },
      },
    ]);
  });

  it("lets the role read objects only under the table folders and _published/", () => {
    const statements = roleStatements();
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    const objectResources = statements
      .filter((s) => asList(s.Action).includes("s3:GetObject"))
      .flatMap((s) => asList(s.Resource));
    expect(objectResources.sort()).toEqual(loadedPrefixes.map((p) => `${lakeArn()}/${p}*`).sort());
    expect(JSON.stringify(statements)).not.toMatch(/quarantine|_reports|_crawl|"\*"/);
  });

  it("lets the role list only those folders, and read nothing else", () => {
    const statements = roleStatements();
    const list = statements.filter((s) => asList(s.Action).includes("s3:ListBucket"));
    expect(list).toEqual([
      expect.objectContaining({
        Resource: [lakeArn()],
        Condition: { StringLike: { "s3:prefix": loadedPrefixes.map((p) => `${p}*`) } },
      }),
    ]);
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual([
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
    ]);
    expect(
      statements.flatMap((s) => asList(s.Resource)).every((r) => r.startsWith(lakeArn())),
    ).toBe(true);
  });
});

describe("Snowflake on: database, schema, warehouse, file format, stage", () => {
  it("creates the database, the LAKE schema and a warehouse that suspends itself", () => {
    expect(onlyResource(on, "snowflake_database")).toMatchObject({ name: "SPOTIFY_LAKE_TEST" });
    expect(onlyResource(on, "snowflake_schema")).toMatchObject({
      name: "LAKE",
      database: ref(
        "snowflake_database",
        idNamed("snowflake_database", "SPOTIFY_LAKE_TEST"),
        "name",
      ),
    });
    expect(onlyResource(on, "snowflake_warehouse")).toMatchObject({
      name: "SPOTIFY_LAKE_TEST_WH",
      warehouse_size: "XSMALL",
      auto_suspend: 60,
      auto_resume: "true",
      initially_suspended: true,
    });
  });

  it("reads the lake through one external stage over the bucket, with the Parquet format and the integration", () => {
    expect(onlyResource(on, "snowflake_file_format")).toMatchObject({
      name: "LAKE_PARQUET",
      format_type: "PARQUET",
    });
    const integrationId = Object.keys(resourcesOf(on, "snowflake_storage_integration"))[0]!;
    expect(onlyResource(on, "snowflake_stage")).toMatchObject({
      name: "LAKE_STAGE",
      url: `s3://${lakeName()}/`,
      storage_integration: ref("snowflake_storage_integration", integrationId, "name"),
      file_format: `FORMAT_NAME = ${fqn("snowflake_file_format", "LAKE_PARQUET")}`,
    });
    expect(onlyResource(on, "snowflake_stage").depends_on).toEqual([
      expect.stringMatching(/^aws_iam_role_policy\.snowflake_role_policy_/),
    ]);
  });
});

describe("Snowflake on: tables, pipes and views", () => {
  const upper = (table: LakeTable) => table.toUpperCase();
  const metadata = [
    { name: "SOURCE_FILE", nullable: false, type: "VARCHAR" },
    { name: "FILE_ROW_NUMBER", nullable: false, type: "NUMBER(19,0)" },
    { name: "LOADED_AT", nullable: false, type: "TIMESTAMP_LTZ" },
  ];

  it.each(LAKE_TABLES)(
    "types %s's load table like its Parquet schema, then the file columns",
    (table) => {
      const columns = resourcesOf(on, "snowflake_table")[
        idNamed("snowflake_table", `${upper(table)}_LOADED`)
      ]!.column;
      const parquet = TABLE_COLUMNS[table] as readonly ColumnSpec[];
      expect(columns).toEqual([
        ...parquet.map((c) => ({
          name: c.name.toUpperCase(),
          type: expectedSnowflakeType(c),
          nullable: isNullableInParquet(c),
        })),
        ...metadata,
      ]);
    },
  );

  it.each(LAKE_TABLES)(
    "auto-ingests %s by column name from its folder, recording each row's file",
    (table) => {
      const pipe = resourcesOf(on, "snowflake_pipe")[
        idNamed("snowflake_pipe", `${upper(table)}_PIPE`)
      ]!;
      expect(pipe.auto_ingest).toBe(true);
      expect(pipe.copy_statement).toBe(
        `COPY INTO ${fqn("snowflake_table", `${upper(table)}_LOADED`)} ` +
          `FROM @${fqn("snowflake_stage", "LAKE_STAGE")}/${table}/ ` +
          "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE " +
          "INCLUDE_METADATA = (SOURCE_FILE = METADATA$FILENAME, FILE_ROW_NUMBER = METADATA$FILE_ROW_NUMBER, LOADED_AT = METADATA$START_SCAN_TIME)",
      );
    },
  );

  it("loads the publication records from _published/ as JSON into their own table", () => {
    const pipe = resourcesOf(on, "snowflake_pipe")[idNamed("snowflake_pipe", "PUBLICATIONS_PIPE")]!;
    expect(pipe.auto_ingest).toBe(true);
    expect(pipe.copy_statement).toBe(
      `COPY INTO ${fqn("snowflake_table", "PUBLICATIONS_LOADED")} ` +
        `FROM @${fqn("snowflake_stage", "LAKE_STAGE")}/_published/ FILE_FORMAT = (TYPE = JSON) ` +
        "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE " +
        "INCLUDE_METADATA = (SOURCE_FILE = METADATA$FILENAME, FILE_LAST_MODIFIED = METADATA$FILE_LAST_MODIFIED, LOADED_AT = METADATA$START_SCAN_TIME)",
    );
    const columns = resourcesOf(on, "snowflake_table")[
      idNamed("snowflake_table", "PUBLICATIONS_LOADED")
    ]!.column as { name: string }[];
    expect(columns.map((c) => c.name)).toEqual([
      "VERSION",
      "SOURCE_FILE",
      "FILE_LAST_MODIFIED",
      "LOADED_AT",
    ]);
  });

  it("creates no pipe for anything else (no _crawl/, quarantine/ or _reports/)", () => {
    const statements = Object.values(resourcesOf(on, "snowflake_pipe")).map(
      (p) => p.copy_statement as string,
    );
    expect(statements).toHaveLength(LAKE_TABLES.length + 1);
    expect(statements.join("\n")).not.toMatch(/_crawl|quarantine|_reports/);
  });

  it.each(LAKE_TABLES)(
    "exposes %s as a view of the published version's rows, with the partition columns",
    (table) => {
      const view = resourcesOf(on, "snowflake_view")[idNamed("snowflake_view", upper(table))]!;
      const statement = view.statement as string;
      const selected = /^SELECT (.*) FROM \(/.exec(statement)![1]!.split(", ");
      expect(selected).toEqual([
        ...(TABLE_COLUMNS[table] as readonly ColumnSpec[]).map((c) => `l.${c.name.toUpperCase()}`),
        "l.SNAPSHOT_DATE",
        "l.SNAPSHOT_HOUR",
      ]);
      expect(statement).toContain(`FROM ${fqn("snowflake_table", `${upper(table)}_LOADED`)}`);
      expect(statement).toContain(`JOIN ${fqn("snowflake_view", "PUBLISHED_HOURS")} p`);
      expect(statement).toContain("p.VERSION = l.VERSION");
    },
  );

  it("answers the two classic queries as written: their tables are views, their columns are the views' columns", () => {
    for (const { query } of CLASSIC_NAMED_QUERIES) {
      const [, columnsPart, table] = /^SELECT (.+) FROM (\w+)/.exec(query)!;
      const view = resourcesOf(on, "snowflake_view")[
        idNamed("snowflake_view", table!.toUpperCase())
      ]!;
      const columns = [
        ...columnsPart!.split(", "),
        ...(/WHERE (\w+)|GROUP BY (\w+)/.exec(query)?.slice(1) ?? []),
      ].filter((c): c is string => c !== undefined && /^\w+$/.test(c));
      expect(columns.length).toBeGreaterThan(0);
      for (const column of columns) {
        expect(view.statement).toContain(`l.${column.toUpperCase()},`);
      }
    }
  });
});

describe("Snowflake on: the lake bucket's notification", () => {
  it("is the lake bucket's only notification configuration", () => {
    const notifications = Object.values(resourcesOf(on, "aws_s3_bucket_notification"));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.bucket).toBe(ref("aws_s3_bucket", lakeBucketId(), "id"));
  });

  it("sends each table folder's new Parquet parts and each publication record to its pipe's queue", () => {
    const notification = onlyResource(on, "aws_s3_bucket_notification");
    const channel = (name: string) =>
      ref("snowflake_pipe", idNamed("snowflake_pipe", name), "notification_channel");
    expect(notification.queue).toEqual([
      ...LAKE_TABLES.map((table) => ({
        id: `snowflake-${table}`,
        queue_arn: channel(`${table.toUpperCase()}_PIPE`),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: `${table}/`,
        filter_suffix: ".parquet",
      })),
      {
        id: "snowflake-published",
        queue_arn: channel("PUBLICATIONS_PIPE"),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: "_published/",
        filter_suffix: ".json",
      },
    ]);
    expect(notification.topic).toBeUndefined();
    expect(notification.lambda_function).toBeUndefined();
  });
});

describe("Snowflake on: the rest of the stack", () => {
  it("is unchanged: Snowflake adds its own resources and changes none of the others", () => {
    const added = (type: string, id: string) =>
      type.startsWith("snowflake_") ||
      type === "aws_s3_bucket_notification" ||
      (type.startsWith("aws_iam_role") && id.startsWith("snowflake_"));
    const others = (synth: Synth) =>
      Object.fromEntries(
        Object.entries(synth.resource)
          .map(([type, resources]) => [
            type,
            Object.fromEntries(Object.entries(resources).filter(([id]) => !added(type, id))),
          ])
          .filter(([, resources]) => Object.keys(resources as object).length > 0),
      );
    expect(others(on)).toEqual(others(off));
    expect(
      Object.keys(on.output)
        .filter((name) => !(name in off.output))
        .sort(),
    ).toEqual(["snowflake_database", "snowflake_lake_role_arn"]);
  });

  it("keeps every policy free of wildcard actions and resources, NotAction/NotResource and anonymous principals", () => {
    const offending = policyDocuments(on)
      .filter((policy) => policy.where.includes("snowflake"))
      .flatMap((policy) =>
        policy.statements
          .filter(
            (s) =>
              s.NotAction ||
              s.NotResource ||
              asList(s.Action).some((a) => a === "*" || a.endsWith(":*")) ||
              asList(s.Resource).includes("*") ||
              JSON.stringify(s.Principal ?? "").includes('"*"'),
          )
          .map((s) => `${policy.where}: ${s.Sid}`),
      );
    expect(policyDocuments(on).filter((p) => p.where.includes("snowflake"))).toHaveLength(2);
    expect(offending).toEqual([]);
  });
});
