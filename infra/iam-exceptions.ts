// The ONE list of IAM actions that may be allowed on Resource "*". Each exists because AWS
// offers no resource-level permission for the action; anything else granted on "*" is a
// bug, and test/infra checks every policy document of the synthesized stack against this.

export interface WildcardResourceException {
  readonly action: string;
  readonly reason: string;
}

const XRAY_REASON =
  'X-Ray has no resource-level permissions: trace segments and telemetry are accepted only on Resource "*".';
const LOG_DELIVERY_REASON =
  'Step Functions sets up vended log delivery through CloudWatch Logs\' log-delivery APIs, which have no resource-level permissions (AWS documents these on Resource "*").';

export const WILDCARD_RESOURCE_EXCEPTIONS: readonly WildcardResourceException[] = [
  { action: "xray:PutTraceSegments", reason: XRAY_REASON },
  { action: "xray:PutTelemetryRecords", reason: XRAY_REASON },
  { action: "xray:GetSamplingRules", reason: XRAY_REASON },
  { action: "xray:GetSamplingTargets", reason: XRAY_REASON },
  { action: "logs:CreateLogDelivery", reason: LOG_DELIVERY_REASON },
  { action: "logs:GetLogDelivery", reason: LOG_DELIVERY_REASON },
  { action: "logs:UpdateLogDelivery", reason: LOG_DELIVERY_REASON },
  { action: "logs:DeleteLogDelivery", reason: LOG_DELIVERY_REASON },
  { action: "logs:ListLogDeliveries", reason: LOG_DELIVERY_REASON },
  { action: "logs:PutResourcePolicy", reason: LOG_DELIVERY_REASON },
  { action: "logs:DescribeResourcePolicies", reason: LOG_DELIVERY_REASON },
  { action: "logs:DescribeLogGroups", reason: LOG_DELIVERY_REASON },
];

/**
 * In a KMS key policy, Resource "*" means "this key" (a key policy cannot name any other
 * resource), so it is not a wildcard grant. Only the key policy may use it this way.
 */
export const KEY_POLICY_RESOURCE_REASON =
  'A KMS key policy is attached to one key; its Resource "*" refers to that key only.';

export function isWildcardResourceException(action: string): boolean {
  return WILDCARD_RESOURCE_EXCEPTIONS.some((exception) => exception.action === action);
}
