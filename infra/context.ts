// What every construct of one stage needs to know: its configuration, the name prefix and
// the account/partition, which are only known at plan time (Terraform data sources).

import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Construct } from "constructs";
import type { StageConfig } from "./config";

export interface StageContext {
  readonly config: StageConfig;
  /** `spotify-lake-<stage>`: the start of every resource name of the stage. */
  readonly prefix: string;
  readonly region: string;
  /** Token for the deploying account id. */
  readonly accountId: string;
  /** Token for the partition (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
}

export const PROJECT = "spotify-lake";

export function createStageContext(scope: Construct, config: StageConfig): StageContext {
  const identity = new DataAwsCallerIdentity(scope, "current_account");
  const partition = new DataAwsPartition(scope, "current_partition");
  return {
    config,
    prefix: `${PROJECT}-${config.stage}`,
    region: config.region,
    accountId: identity.accountId,
    partition: partition.partition,
  };
}

/** ARN of a resource in this stage's account and region. */
export function arn(context: StageContext, service: string, resource: string): string {
  return `arn:${context.partition}:${service}:${context.region}:${context.accountId}:${resource}`;
}
