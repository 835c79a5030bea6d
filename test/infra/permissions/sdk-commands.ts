// What each AWS SDK command the functions send asks of IAM: its action(s) and the resources
// IAM authorizes them on (https://docs.aws.amazon.com/service-authorization/latest/reference/),
// plus the calls a service then makes with the caller's credentials (Athena reading the Glue
// catalog and the lake, and writing results). `sdkCommandsIn` finds the commands a source file
// sends, so a command without a row here fails test/infra/permissions.test.ts.

import { readFileSync } from "node:fs";
import path from "node:path";
import { PARTITION } from "./stack-model";

/** One authorization IAM makes: an action on a resource, with the request's context. */
export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** Why the request is made, when it is not the command itself. */
  note?: string;
}

/** What a call acts on; each command reads the fields it needs. */
export interface CallTarget {
  bucket?: string;
  key?: string;
  prefix?: string;
  keys?: readonly string[];
  database?: string;
  table?: string;
  crawler?: string;
  workgroup?: string;
  secret?: string;
  /** What Athena reads and writes for a query (StartQueryExecution, GetQueryResults). */
  athena?: {
    database: string;
    /** Table name → the partition folder the query reads (in `lakeBucket`). */
    partitions: Record<string, string>;
    lakeBucket: string;
    resultsBucket: string;
    resultsPrefix: string;
  };
}

export interface Env {
  region: string;
  account: string;
}

const need = <T>(value: T | undefined, field: string, command: string): T => {
  if (value === undefined) throw new Error(`a ${command} call needs a target ${field}`);
  return value;
};

const s3Object = (bucket: string, key: string) => `arn:${PARTITION}:s3:::${bucket}/${key}`;
const s3Bucket = (bucket: string) => `arn:${PARTITION}:s3:::${bucket}`;
const glue = (e: Env, resource: string) =>
  `arn:${PARTITION}:glue:${e.region}:${e.account}:${resource}`;
/** Glue authorizes a table call on the catalog, the database and the table, each. */
const glueTableArns = (e: Env, database: string, table: string) => [
  glue(e, "catalog"),
  glue(e, `database/${database}`),
  glue(e, `table/${database}/${table}`),
];
const onTable = (action: string, e: Env, database: string, table: string): IamRequest[] =>
  glueTableArns(e, database, table).map((resource) => ({ action, resource }));

/** A request Athena makes with the caller's credentials (forward access session). */
const viaAthena = (request: IamRequest): IamRequest => ({
  ...request,
  context: { ...request.context, "aws:CalledVia": ["athena.amazonaws.com"] },
});

/** Athena's results object for a query (`<output location><query id>.csv`, and its metadata). */
const resultObjects = (a: NonNullable<CallTarget["athena"]>) => [
  `${a.resultsPrefix}0f8e5c1a-3b7d-4e2a-9c61-5d2b8f4a7e90.csv`,
  `${a.resultsPrefix}0f8e5c1a-3b7d-4e2a-9c61-5d2b8f4a7e90.csv.metadata`,
];

type CommandRequests = (target: CallTarget, env: Env, command: string) => IamRequest[];

/**
 * Every SDK command the functions send, keyed `<client package without client->:<Command>`,
 * e.g. `s3:PutObjectCommand` for `@aws-sdk/client-s3`.
 */
export const SDK_COMMANDS: Readonly<Record<string, CommandRequests>> = {
  // Conditional writes (If-None-Match / If-Match) need nothing beyond s3:PutObject.
  "s3:PutObjectCommand": (t, _, c) => [
    {
      action: "s3:PutObject",
      resource: s3Object(need(t.bucket, "bucket", c), need(t.key, "key", c)),
    },
  ],
  // A missing key answers 404 (NoSuchKey, which the adapter relies on) only to a caller who
  // may list the bucket; without s3:ListBucket it is 403.
  "s3:GetObjectCommand": (t, _, c) => [
    {
      action: "s3:GetObject",
      resource: s3Object(need(t.bucket, "bucket", c), need(t.key, "key", c)),
    },
    {
      action: "s3:ListBucket",
      resource: s3Bucket(t.bucket!),
      note: "NoSuchKey (404) rather than AccessDenied for a missing key",
    },
  ],
  "s3:ListObjectsV2Command": (t, _, c) => [
    {
      action: "s3:ListBucket",
      resource: s3Bucket(need(t.bucket, "bucket", c)),
      context: { "s3:prefix": need(t.prefix, "prefix", c) },
    },
  ],
  // DeleteObjects is authorized as s3:DeleteObject on every key it names.
  "s3:DeleteObjectsCommand": (t, _, c) =>
    need(t.keys, "keys", c).map((key) => ({
      action: "s3:DeleteObject",
      resource: s3Object(need(t.bucket, "bucket", c), key),
    })),
  "glue:GetTableCommand": (t, e, c) =>
    onTable("glue:GetTable", e, need(t.database, "database", c), need(t.table, "table", c)),
  "glue:BatchCreatePartitionCommand": (t, e, c) =>
    onTable(
      "glue:BatchCreatePartition",
      e,
      need(t.database, "database", c),
      need(t.table, "table", c),
    ),
  "glue:BatchUpdatePartitionCommand": (t, e, c) =>
    onTable(
      "glue:BatchUpdatePartition",
      e,
      need(t.database, "database", c),
      need(t.table, "table", c),
    ),
  "glue:StartCrawlerCommand": (t, e, c) => [
    { action: "glue:StartCrawler", resource: glue(e, `crawler/${need(t.crawler, "crawler", c)}`) },
  ],
  "glue:GetCrawlerCommand": (t, e, c) => [
    { action: "glue:GetCrawler", resource: glue(e, `crawler/${need(t.crawler, "crawler", c)}`) },
  ],
  // Athena runs the query with the caller's credentials: it reads the catalog (database,
  // tables, the partitions of the WHERE clause), lists and reads those partitions' objects,
  // and writes the results to the workgroup's output location
  // (https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html,
  // https://docs.aws.amazon.com/athena/latest/ug/s3-permissions.html).
  "athena:StartQueryExecutionCommand": (t, e, c) => {
    const a = need(t.athena, "athena", c);
    return [
      {
        action: "athena:StartQueryExecution",
        resource: `arn:${PARTITION}:athena:${e.region}:${e.account}:workgroup/${need(t.workgroup, "workgroup", c)}`,
      },
      ...[glue(e, "catalog"), glue(e, `database/${a.database}`)].map((resource) =>
        viaAthena({ action: "glue:GetDatabase", resource }),
      ),
      ...Object.entries(a.partitions).flatMap(([table, folder]) => [
        ...onTable("glue:GetTable", e, a.database, table).map(viaAthena),
        ...onTable("glue:GetPartitions", e, a.database, table).map(viaAthena),
        viaAthena({
          action: "s3:ListBucket",
          resource: s3Bucket(a.lakeBucket),
          context: { "s3:prefix": folder },
        }),
        viaAthena({
          action: "s3:GetObject",
          resource: s3Object(a.lakeBucket, `${folder}part-00000.parquet`),
        }),
      ]),
      viaAthena({ action: "s3:GetBucketLocation", resource: s3Bucket(a.lakeBucket) }),
      viaAthena({ action: "s3:GetBucketLocation", resource: s3Bucket(a.resultsBucket) }),
      viaAthena({
        action: "s3:ListBucket",
        resource: s3Bucket(a.resultsBucket),
        context: { "s3:prefix": a.resultsPrefix },
      }),
      ...resultObjects(a).flatMap((key) => [
        viaAthena({ action: "s3:PutObject", resource: s3Object(a.resultsBucket, key) }),
        viaAthena({
          action: "s3:AbortMultipartUpload",
          resource: s3Object(a.resultsBucket, key),
          note: "Athena writes large results in parts and aborts them on failure",
        }),
      ]),
    ];
  },
  "athena:GetQueryExecutionCommand": (t, e, c) => [
    {
      action: "athena:GetQueryExecution",
      resource: `arn:${PARTITION}:athena:${e.region}:${e.account}:workgroup/${need(t.workgroup, "workgroup", c)}`,
    },
  ],
  // Athena reads the results object with the caller's credentials to page it.
  "athena:GetQueryResultsCommand": (t, e, c) => {
    const a = need(t.athena, "athena", c);
    return [
      {
        action: "athena:GetQueryResults",
        resource: `arn:${PARTITION}:athena:${e.region}:${e.account}:workgroup/${need(t.workgroup, "workgroup", c)}`,
      },
      viaAthena({
        action: "s3:GetObject",
        resource: s3Object(a.resultsBucket, resultObjects(a)[0]!),
      }),
    ];
  },
  "secrets-manager:GetSecretValueCommand": (t, _, c) => [
    { action: "secretsmanager:GetSecretValue", resource: need(t.secret, "secret", c) },
  ],
  "secrets-manager:PutSecretValueCommand": (t, _, c) => [
    { action: "secretsmanager:PutSecretValue", resource: need(t.secret, "secret", c) },
  ],
};

/** Middlewares that send SDK commands themselves: package → the commands. */
const MIDDLEWARE_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  "@middy/secrets-manager": ["secrets-manager:GetSecretValueCommand"],
};

/**
 * The SDK commands a TypeScript source sends: each name imported from an `@aws-sdk/client-*`
 * package and constructed with `new`, and the commands of middlewares it imports.
 */
export function sdkCommandsIn(source: string): string[] {
  const found = new Set<string>();
  const imports = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  for (const [, names, client] of source.matchAll(imports)) {
    for (const name of names!.split(",").map((n) => n.trim().split(/\s+as\s+/))) {
      const [imported, local = imported] = name as [string, string?];
      if (imported.endsWith("Command") && new RegExp(`new\\s+${local}\\s*\\(`).test(source)) {
        found.add(`${client}:${imported}`);
      }
    }
  }
  // A namespace or default import would hide the names: refuse it rather than miss commands.
  if (/import\s+(\*\s+as\s+\w+|\w+)\s+from\s+"@aws-sdk\/client-/.test(source)) {
    throw new Error("an @aws-sdk/client-* namespace or default import hides its commands");
  }
  for (const [middleware, commands] of Object.entries(MIDDLEWARE_COMMANDS)) {
    if (source.includes(`from "${middleware}"`)) for (const c of commands) found.add(c);
  }
  return [...found].sort();
}

/** Every repository file `entry` imports, transitively (relative imports only), with entry. */
export function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+)"/g)) {
      const base = path.resolve(path.dirname(file), specifier!);
      const candidates = [`${base}.ts`, path.join(base, "index.ts"), base];
      const target = candidates.find((candidate) => {
        try {
          return readFileSync(candidate) && candidate.endsWith(".ts");
        } catch {
          return false;
        }
      });
      if (target) visit(target);
    }
  };
  visit(path.resolve(entry));
  return [...seen].sort();
}

/** The commands a Lambda's code can send, with the file that sends each. */
export function commandsSentFrom(entry: string): Map<string, string[]> {
  const byCommand = new Map<string, string[]>();
  for (const file of importClosure(entry)) {
    for (const command of sdkCommandsIn(readFileSync(file, "utf8"))) {
      byCommand.set(command, [...(byCommand.get(command) ?? []), file]);
    }
  }
  return byCommand;
}
