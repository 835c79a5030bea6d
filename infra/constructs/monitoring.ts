// Monitoring: alarms on failed, timed-out and aborted pipeline runs, on scheduled starts that
// landed in the dead-letter queue and on runs that warn the Spotify user authorization expires
// within 30 days, all notifying one encrypted SNS topic with an optional e-mail subscription.
//
// The topic is encrypted with a customer managed KMS key, not the AWS managed alias/aws/sns:
// CloudWatch alarms can publish to an encrypted topic only if the key policy lets
// cloudwatch.amazonaws.com use the key, and the AWS managed key's policy cannot be changed,
// so with it every alarm notification would be dropped silently.

import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { AUTHORIZATION_EXPIRY_LOG_MESSAGE } from "../../functions/commons/spotify";
import { arn, type StageContext } from "../context";
import { policyJson } from "../iam";
import type { Functions } from "./functions";
import type { Orchestration } from "./orchestration";

/** Step Functions metrics that mean a run did not succeed. */
export const EXECUTION_FAILURE_METRICS = [
  "ExecutionsFailed",
  "ExecutionsTimedOut",
  "ExecutionsAborted",
] as const;

/**
 * How many alarms a stage has (each costs a month's fee): one per failure metric above, the
 * dead-lettered starts and the expiring authorization. The stack test holds the synth to it.
 */
export const STAGE_ALARM_COUNT = EXECUTION_FAILURE_METRICS.length + 2;

/** The metric the extract-artists log line "Spotify authorization expires soon" feeds. */
export const AUTHORIZATION_EXPIRY_METRIC = {
  namespace: "SpotifyLake",
  metricName: "SpotifyAuthorizationExpiringSoon",
} as const;

/** Administrative actions the account keeps on the key (through IAM), listed rather than kms:*. */
const KEY_ADMINISTRATION_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];

export interface MonitoringProps {
  readonly functions: Functions;
  readonly orchestration: Orchestration;
}

export class Monitoring extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, context: StageContext, props: MonitoringProps) {
    super(scope, id);
    const { prefix, config } = context;
    const accountRoot = `arn:${context.partition}:iam::${context.accountId}:root`;
    /** Every alarm of this stage (all are named `<prefix>-…`). */
    const stageAlarms = arn(context, "cloudwatch", `alarm:${prefix}-*`);

    const key = new KmsKey(this, "alerts_key", {
      description: `Encrypts the ${prefix} alert topic; usable by CloudWatch alarms.`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: policyJson([
        {
          Sid: "AdministerKeyThroughIam",
          Effect: "Allow",
          Principal: { AWS: accountRoot },
          Action: KEY_ADMINISTRATION_ACTIONS,
          Resource: ["*"],
        },
        {
          // Account principals allowed by IAM may publish to the topic (e.g. a test message).
          Sid: "PublishThroughIam",
          Effect: "Allow",
          Principal: { AWS: accountRoot },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: ["*"],
        },
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: ["*"],
          // Only this account's alarms of this stage, so no other account's alarm can use
          // the key through CloudWatch (confused deputy).
          Condition: {
            StringEquals: { "aws:SourceAccount": context.accountId },
            ArnLike: { "aws:SourceArn": stageAlarms },
          },
        },
      ]),
    });
    new KmsAlias(this, "alerts_key_alias", {
      name: `alias/${prefix}-alerts`,
      targetKeyId: key.keyId,
    });

    this.topic = new SnsTopic(this, "alerts", {
      name: `${prefix}-alerts`,
      kmsMasterKeyId: key.arn,
    });
    // Written out rather than SNS's default policy (any principal of the account): only this
    // stage's alarms may publish, and never without TLS. Account principals still manage the
    // topic through IAM (a same-account grant needs either policy, not both).
    new SnsTopicPolicy(this, "alerts_policy", {
      arn: this.topic.arn,
      policy: policyJson([
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["sns:Publish"],
          Resource: [this.topic.arn],
          Condition: {
            StringEquals: { "aws:SourceAccount": context.accountId },
            ArnLike: { "aws:SourceArn": stageAlarms },
          },
        },
        {
          Sid: "DenyPublishWithoutTls",
          Effect: "Deny",
          Principal: "*",
          Action: ["sns:Publish"],
          Resource: [this.topic.arn],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
    if (config.alertEmail) {
      // AWS e-mails a confirmation link; nothing is delivered until it is clicked.
      new SnsTopicSubscription(this, "alerts_email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: config.alertEmail,
      });
    }

    const alarm = (
      alarmId: string,
      name: string,
      description: string,
      metric: { namespace: string; metricName: string; dimensions: Record<string, string> },
      statistic: "Sum" | "Maximum",
      periodSeconds: number,
    ) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: description,
        ...metric,
        statistic,
        period: periodSeconds,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // No data means nothing ran or nothing failed: not an alarm.
        treatMissingData: "notBreaching",
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });

    const stateMachineArn = props.orchestration.stateMachine.arn;
    const alarms = EXECUTION_FAILURE_METRICS.map((metricName) =>
      alarm(
        `pipeline_${metricName}`,
        `pipeline-${metricName.replace(/^Executions/, "").toLowerCase()}`,
        `A pipeline run ended ${metricName.replace(/^Executions/, "").toLowerCase()} in the last hour: open the execution in the Step Functions console (Error and Cause name the failure).`,
        {
          namespace: "AWS/States",
          metricName,
          dimensions: { StateMachineArn: stateMachineArn },
        },
        "Sum",
        3600,
      ),
    );
    // No alarm on a function's Errors: an error Step Functions retries successfully is not an
    // incident, and every error that matters ends the run failed, which the alarms above catch.
    alarms.push(
      alarm(
        "schedule_dead_letters",
        "schedule-dead-letters",
        "A scheduled start of the pipeline failed after its retries and was sent to the dead-letter queue: that hour was not snapshotted.",
        {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: props.orchestration.deadLetterQueue.name },
        },
        "Maximum",
        300,
      ),
    );
    // ExtractArtists runs once per run and logs the warning once: one count per warning run.
    const artists = props.functions.get("extract-artists");
    new CloudwatchLogMetricFilter(this, "authorization_expiry_filter", {
      name: `${prefix}-spotify-authorization-expiring`,
      logGroupName: `/aws/lambda/${artists.functionName}`,
      pattern: `{ $.message = "${AUTHORIZATION_EXPIRY_LOG_MESSAGE}" }`,
      metricTransformation: {
        namespace: AUTHORIZATION_EXPIRY_METRIC.namespace,
        name: AUTHORIZATION_EXPIRY_METRIC.metricName,
        value: "1",
        defaultValue: "0",
      },
      dependsOn: [artists],
    });
    alarms.push(
      alarm(
        "spotify_authorization_expiring",
        "spotify-authorization-expiring",
        "The Spotify user authorization expires within 30 days (refresh tokens last six months): run `npm run authorize` and store the new refresh token in the Spotify secret, or runs will fail with SpotifyAuthorizationExpiredError.",
        { ...AUTHORIZATION_EXPIRY_METRIC, dimensions: {} },
        "Sum",
        3600,
      ),
    );
    this.alarms = alarms;
  }
}
