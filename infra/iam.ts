// Small helpers to write IAM policy documents as plain data. Documents are rendered with
// JSON.stringify, so resource ARNs may be cdktf tokens (they synthesize to Terraform
// interpolations inside the JSON string) and tests can JSON.parse every policy back.

import { isWildcardResourceException } from "./iam-exceptions";

export interface PolicyStatement {
  /** Alphanumeric statement id saying what the statement is for. */
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource?: readonly string[];
  readonly Principal?: Record<string, string | readonly string[]> | "*";
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** Renders a policy document; refuses an Allow on Resource "*" that iam-exceptions.ts does not list. */
export function policyJson(statements: readonly PolicyStatement[]): string {
  for (const statement of statements) {
    if (statement.Effect !== "Allow" || !statement.Resource?.includes("*")) continue;
    const unlisted = statement.Action.filter((action) => !isWildcardResourceException(action));
    if (unlisted.length > 0 && statement.Principal === undefined) {
      throw new Error(
        `IAM statement ${statement.Sid} allows ${unlisted.join(", ")} on Resource "*"; scope it to ARNs or list the action in infra/iam-exceptions.ts with the reason`,
      );
    }
  }
  const document: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  return JSON.stringify(document);
}

/** Trust policy letting an AWS service assume a role, optionally only on behalf of this account. */
export function assumeRolePolicy(service: string, sourceAccount?: string): string {
  return policyJson([
    {
      Sid: "TrustService",
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["sts:AssumeRole"],
      ...(sourceAccount
        ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }
        : {}),
    },
  ]);
}
