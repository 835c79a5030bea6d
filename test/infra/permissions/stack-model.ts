// The synthesized stack as IAM will see it after an apply: every Terraform reference in a
// policy resolved to the ARN or name AWS would give it (in a fixed test account), the identity
// policies of each role, and the resource policies (bucket, queue, key) by the ARN they guard.
// A reference this file does not know how to resolve fails loudly, so a new kind of resource
// in a policy cannot be simulated against a guessed ARN.

import type { Synth } from "../synth-support";

export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "210987654321";
export const PARTITION = "aws";

/** Attributes AWS computes (ARNs, ids, URLs) from a resource's arguments, by resource type. */
type Computed = (args: Record<string, unknown>, at: Place) => Record<string, string>;
interface Place {
  region: string;
  account: string;
  name: (key: string) => string;
}

const COMPUTED: Record<string, Computed> = {
  aws_s3_bucket: (_, p) => {
    const bucket = p.name("bucket");
    return { arn: `arn:${PARTITION}:s3:::${bucket}`, id: bucket, bucket };
  },
  aws_iam_role: (_, p) => ({
    arn: `arn:${PARTITION}:iam::${p.account}:role/${p.name("name")}`,
    id: p.name("name"),
    name: p.name("name"),
  }),
  aws_lambda_function: (_, p) => ({
    arn: `arn:${PARTITION}:lambda:${p.region}:${p.account}:function:${p.name("function_name")}`,
    function_name: p.name("function_name"),
  }),
  aws_cloudwatch_log_group: (_, p) => ({
    // The provider's `arn` of a log group has no trailing `:*`.
    arn: `arn:${PARTITION}:logs:${p.region}:${p.account}:log-group:${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_glue_crawler: (_, p) => ({
    arn: `arn:${PARTITION}:glue:${p.region}:${p.account}:crawler/${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_glue_catalog_database: (_, p) => ({ name: p.name("name") }),
  aws_athena_workgroup: (_, p) => ({
    arn: `arn:${PARTITION}:athena:${p.region}:${p.account}:workgroup/${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_secretsmanager_secret: (_, p) => ({
    // Secrets Manager appends six random characters to a secret's ARN.
    arn: `arn:${PARTITION}:secretsmanager:${p.region}:${p.account}:secret:${p.name("name")}-Ab12Cd`,
    name: p.name("name"),
  }),
  aws_sfn_state_machine: (_, p) => ({
    arn: `arn:${PARTITION}:states:${p.region}:${p.account}:stateMachine:${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_sqs_queue: (_, p) => ({
    arn: `arn:${PARTITION}:sqs:${p.region}:${p.account}:${p.name("name")}`,
    url: `https://sqs.${p.region}.amazonaws.com/${p.account}/${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_sns_topic: (_, p) => ({
    arn: `arn:${PARTITION}:sns:${p.region}:${p.account}:${p.name("name")}`,
    name: p.name("name"),
  }),
  aws_kms_key: (_, p) => ({
    arn: `arn:${PARTITION}:kms:${p.region}:${p.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    key_id: "1234abcd-12ab-34cd-56ef-1234567890ab",
  }),
};

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown> | Record<string, unknown>[];
}

export interface StackModel {
  region: string;
  account: string;
  /** Every `${…}` reference of the synth replaced by its applied value. */
  resolve: (text: string) => string;
  /** A resource's arguments, references resolved, e.g. resource("aws_glue_crawler"). */
  resources: (type: string) => Record<string, unknown>[];
  /** Inline policies of each role, by role ARN. */
  identityPolicies: Map<string, { name: string; policy: PolicyDocument }[]>;
  /** Trust policy of each role, by role ARN. */
  trustPolicies: Map<string, PolicyDocument>;
  /** The resource policy guarding an ARN (bucket policies cover the bucket's objects). */
  resourcePolicyOf: (arn: string) => PolicyDocument | undefined;
}

export function stackModel(synth: Synth, region: string, account = ACCOUNT): StackModel {
  const cache = new Map<string, string>();
  const resolve = (text: string): string =>
    text.replace(/\$\{([a-z0-9_.]+)\}/gi, (_, reference: string) => lookup(reference));

  function lookup(reference: string): string {
    const cached = cache.get(reference);
    if (cached !== undefined) return cached;
    const parts = reference.split(".");
    let value: string | undefined;
    if (parts[0] === "data" && parts[1] === "aws_caller_identity") value = account;
    else if (parts[0] === "data" && parts[1] === "aws_partition") value = PARTITION;
    else if (parts.length === 3) {
      const [type, id, attribute] = parts as [string, string, string];
      const args = synth.resource[type]?.[id];
      const computed = COMPUTED[type];
      if (args && computed) {
        const name = (key: string) => {
          const raw = args[key];
          if (typeof raw !== "string") throw new Error(`${type}.${id} has no ${key}`);
          return resolve(raw);
        };
        value = computed(args, { region, account, name })[attribute];
        if (value === undefined && typeof args[attribute] === "string") {
          value = resolve(args[attribute] as string);
        }
      }
    }
    if (value === undefined) {
      throw new Error(
        `cannot resolve \${${reference}}: teach test/infra/permissions/stack-model.ts what AWS computes for it`,
      );
    }
    cache.set(reference, value);
    return value;
  }

  const resolvedArgs = (args: Record<string, unknown>) =>
    JSON.parse(resolve(JSON.stringify(args))) as Record<string, unknown>;
  const resources = (type: string) => Object.values(synth.resource[type] ?? {}).map(resolvedArgs);
  const parsePolicy = (text: unknown) => JSON.parse(resolve(String(text))) as PolicyDocument;

  const identityPolicies = new Map<string, { name: string; policy: PolicyDocument }[]>();
  const trustPolicies = new Map<string, PolicyDocument>();
  const roleArnByName = new Map<string, string>();
  for (const role of resources("aws_iam_role")) {
    const roleArn = `arn:${PARTITION}:iam::${account}:role/${String(role.name)}`;
    roleArnByName.set(String(role.name), roleArn);
    trustPolicies.set(roleArn, parsePolicy(role.assume_role_policy));
    identityPolicies.set(roleArn, []);
  }
  for (const attached of resources("aws_iam_role_policy")) {
    const roleArn = roleArnByName.get(String(attached.role));
    if (!roleArn) throw new Error(`policy ${String(attached.name)} names an unknown role`);
    identityPolicies
      .get(roleArn)!
      .push({ name: String(attached.name), policy: parsePolicy(attached.policy) });
  }
  const managed = Object.keys(synth.resource.aws_iam_role_policy_attachment ?? {});
  if (managed.length > 0) {
    throw new Error(
      `managed policy attachments (${managed.join(", ")}) are not simulated: add them to stack-model.ts`,
    );
  }

  const resourcePolicies = new Map<string, PolicyDocument>();
  for (const bucketPolicy of resources("aws_s3_bucket_policy")) {
    resourcePolicies.set(
      `arn:${PARTITION}:s3:::${String(bucketPolicy.bucket)}`,
      parsePolicy(bucketPolicy.policy),
    );
  }
  const queueArnByUrl = new Map(
    resources("aws_sqs_queue").map((queue) => [
      `https://sqs.${region}.amazonaws.com/${account}/${String(queue.name)}`,
      `arn:${PARTITION}:sqs:${region}:${account}:${String(queue.name)}`,
    ]),
  );
  for (const queuePolicy of resources("aws_sqs_queue_policy")) {
    const queueArn = queueArnByUrl.get(String(queuePolicy.queue_url));
    if (!queueArn)
      throw new Error(`queue policy for unknown queue ${String(queuePolicy.queue_url)}`);
    resourcePolicies.set(queueArn, parsePolicy(queuePolicy.policy));
  }
  for (const [id, key] of Object.entries(synth.resource.aws_kms_key ?? {})) {
    resourcePolicies.set(lookup(`aws_kms_key.${id}.arn`), parsePolicy(key.policy));
  }
  for (const type of ["aws_sns_topic_policy", "aws_secretsmanager_secret_policy"]) {
    for (const guarded of resources(type)) {
      resourcePolicies.set(String(guarded.arn ?? guarded.secret_arn), parsePolicy(guarded.policy));
    }
  }

  const resourcePolicyOf = (arn: string): PolicyDocument | undefined => {
    const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(arn);
    return resourcePolicies.get(s3 ? `arn:${PARTITION}:s3:::${s3[1]}` : arn);
  };

  return {
    region,
    account,
    resolve,
    resources,
    identityPolicies,
    trustPolicies,
    resourcePolicyOf,
  };
}

/** The applied ARN of the one resource of a type whose name (or function_name) ends so. */
export function arnOf(model: StackModel, type: string, nameEnd: string): string {
  const matches = model
    .resources(type)
    .filter((r) => String(r.name ?? r.function_name ?? r.bucket ?? "").endsWith(nameEnd));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} named …${nameEnd}, found ${matches.length}`);
  }
  const r = matches[0]!;
  const name = String(r.name ?? r.function_name ?? r.bucket);
  const at: Place = { region: model.region, account: model.account, name: () => name };
  const arn = COMPUTED[type]?.(r, at).arn;
  if (!arn) throw new Error(`no ARN known for ${type}`);
  return arn;
}
