// The AWS side of a command: the stack it names (--stage, --region, --outputs and the explicit
// values) and SDK clients in its region. The SDK reads credentials the usual way (AWS_PROFILE,
// environment, SSO) and AWS_ENDPOINT_URL, which points the CLI at an emulator such as moto.

import { AthenaClient } from "@aws-sdk/client-athena";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { resolveStack, type StackOutputKey, type StackTarget } from "./aws/stack";

export interface StackFlags {
  stage: string;
  region?: string;
  outputs?: string;
  stateMachineArn?: string;
  workgroup?: string;
  database?: string;
  secretId?: string;
}

export interface AwsTarget {
  stack: StackTarget;
  sfn(): SFNClient;
  athena(): AthenaClient;
  secrets(): SecretsManagerClient;
}

export function awsTarget(flags: StackFlags): AwsTarget {
  const overrides: Partial<Record<StackOutputKey, string>> = {
    ...(flags.stateMachineArn ? { stateMachineArn: flags.stateMachineArn } : {}),
    ...(flags.workgroup ? { workgroup: flags.workgroup } : {}),
    ...(flags.database ? { database: flags.database } : {}),
    ...(flags.secretId ? { secretArn: flags.secretId } : {}),
  };
  const stack = resolveStack({
    stage: flags.stage,
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.outputs ? { outputsFile: flags.outputs } : {}),
    overrides,
  });
  const config = { region: stack.region };
  return {
    stack,
    sfn: () => new SFNClient(config),
    athena: () => new AthenaClient(config),
    secrets: () => new SecretsManagerClient(config),
  };
}
