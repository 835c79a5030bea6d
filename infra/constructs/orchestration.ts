// Orchestration: the Standard Step Functions state machine running the pipeline (from
// statemachine/pipeline.asl.json) and the EventBridge Scheduler schedule that starts it
// every hour with the scheduled time as the snapshot, with retries and a dead-letter queue
// for starts that still fail.

import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { ConfigurationError } from "../../functions/commons/errors";
import { arn, type StageContext } from "../context";
import { assumeRolePolicy, policyJson, type PolicyStatement } from "../iam";
import {
  distributedMapsOf,
  RAW_BUCKET_PLACEHOLDER,
  readPipelineTemplate,
  renderDefinition,
  type DistributedMap,
} from "../state-machine-definition";
import { PIPELINE_STEP_NAMES, PIPELINE_STEPS } from "../../statemachine/pipeline";
import type { Functions } from "./functions";
import {
  MAP_RUN_RESULT_OBJECTS,
  RUN_ITEMS_OBJECTS,
  type PrivateBucket,
  type Storage,
} from "./storage";

/** EventBridge Scheduler replaces this with the schedule's time, e.g. 2026-11-22T05:00:00Z. */
export const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

const RATE_UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

/** Seconds between two starts of a rate(...) schedule; undefined for cron. */
export function rateIntervalSeconds(schedule: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  return rate ? Number(rate[1]) * RATE_UNIT_SECONDS[rate[2]!]! : undefined;
}

/**
 * The definition's top-level TimeoutSeconds. Without it a stuck run never ends (the
 * timed-out alarm could never fire) and overlaps the next scheduled one; with a rate
 * schedule, a run must time out before the next one starts.
 */
export function checkRunTimeout(definition: string, schedule: string, source: string): number {
  const timeout = (JSON.parse(definition) as { TimeoutSeconds?: unknown }).TimeoutSeconds;
  if (!Number.isInteger(timeout) || (timeout as number) <= 0) {
    throw new ConfigurationError(
      source,
      "needs a top-level TimeoutSeconds (a whole number of seconds)",
    );
  }
  const interval = rateIntervalSeconds(schedule);
  if (interval !== undefined && interval <= (timeout as number)) {
    throw new ConfigurationError(
      "schedule",
      `${schedule} starts a run every ${interval} s, but a run may last up to the state machine's TimeoutSeconds (${timeout as number} s): runs would overlap`,
    );
  }
  return timeout as number;
}

/**
 * What the state machine role needs for one Distributed Map, per AWS's "IAM policies for
 * using Distributed Map states" and "Redriving Map Runs": start its child executions (a
 * StartExecution on the state machine itself: its ARN is built from the name, as the
 * resource's own ARN would be a Terraform cycle), watch and stop them, redrive Standard
 * children, read the run's items object (ItemReader, a JSON object: GetObject only, no
 * listing) and write the Map Run's results (ResultWriter: its multipart upload actions too).
 */
function distributedMapStatements(
  context: StageContext,
  stateMachineName: string,
  map: DistributedMap,
  raw: PrivateBucket,
): PolicyStatement[] {
  const label = map.label ?? "*";
  // Child executions are named `<state machine>/<Map Run label>:<id>` (the label is the
  // definition's Label, or one AWS generates: then any); Express children carry the
  // `express:` resource type. AWS's example policy grants DescribeExecution on the state
  // machine's own executions (`execution:<name>:*`); kept, so that no check the docs name
  // fails a Map Run, though it lets the role describe and stop its own runs.
  const childType = map.executionType === "EXPRESS" ? "express" : "execution";
  const children = arn(context, "states", `${childType}:${stateMachineName}/${label}:*`);
  const ownExecutions = arn(context, "states", `execution:${stateMachineName}:*`);
  const id = map.state.replace(/[^A-Za-z0-9]/g, "");
  return [
    {
      Sid: `${id}StartChildExecutions`,
      Effect: "Allow",
      Action: ["states:StartExecution"],
      Resource: [arn(context, "states", `stateMachine:${stateMachineName}`)],
    },
    {
      Sid: `${id}WatchChildExecutions`,
      Effect: "Allow",
      Action: ["states:DescribeExecution"],
      Resource: [children, ownExecutions],
    },
    {
      // IAM's StopExecution knows only `execution:` ARNs: Express children are not stopped
      // through it (an Express child ends within its five minutes).
      Sid: `${id}StopChildExecutions`,
      Effect: "Allow",
      Action: ["states:StopExecution"],
      Resource: map.executionType === "STANDARD" ? [children, ownExecutions] : [ownExecutions],
    },
    // Redriving a Map Run redrives its failed Standard children; Express children are started
    // again with StartExecution, granted above.
    ...(map.executionType === "STANDARD"
      ? [
          {
            Sid: `${id}RedriveChildExecutions`,
            Effect: "Allow" as const,
            Action: ["states:RedriveExecution"],
            Resource: [children],
          },
        ]
      : []),
    {
      Sid: `${id}ReadItems`,
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${raw.arn}/${RUN_ITEMS_OBJECTS}`],
    },
    {
      Sid: `${id}WriteResults`,
      Effect: "Allow",
      Action: [
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
      ],
      Resource: [`${raw.arn}/${MAP_RUN_RESULT_OBJECTS}`],
    },
  ];
}

export interface OrchestrationProps {
  readonly functions: Functions;
  readonly storage: Storage;
  /** Definition template; defaults to statemachine/pipeline.asl.json. */
  readonly definitionFile?: string;
}

export class Orchestration extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly schedule: SchedulerSchedule;
  readonly deadLetterQueue: SqsQueue;
  /** The definition's Distributed Map states (their grants are on the state machine role). */
  readonly distributedMaps: readonly DistributedMap[];

  constructor(scope: Construct, id: string, context: StageContext, props: OrchestrationProps) {
    super(scope, id);
    const { prefix, config } = context;
    const stateMachineName = `${prefix}-pipeline`;

    const functionArns = PIPELINE_STEP_NAMES.map((step) => props.functions.get(step).arn);
    const { template, source } = readPipelineTemplate(props.definitionFile);
    const definition = renderDefinition(
      template,
      {
        ...Object.fromEntries(
          PIPELINE_STEP_NAMES.map((step) => [
            PIPELINE_STEPS[step].placeholder,
            props.functions.get(step).arn,
          ]),
        ),
        [RAW_BUCKET_PLACEHOLDER]: props.storage.raw.name,
      },
      source,
      [RAW_BUCKET_PLACEHOLDER],
    );
    this.distributedMaps = distributedMapsOf(template, source);

    checkRunTimeout(definition, config.schedule, source);

    // The vendedlogs prefix keeps CloudWatch Logs' resource policy small (AWS recommends it).
    const logGroup = new CloudwatchLogGroup(this, "state_machine_logs", {
      name: `/aws/vendedlogs/states/${stateMachineName}`,
      retentionInDays: config.logRetentionDays,
    });

    const role = new IamRole(this, "state_machine_role", {
      name: `${stateMachineName}-states`,
      assumeRolePolicy: assumeRolePolicy("states.amazonaws.com", context.accountId),
    });
    const rolePolicy = new IamRolePolicy(this, "state_machine_policy", {
      name: "run-pipeline",
      role: role.id,
      policy: policyJson([
        {
          Sid: "InvokePipelineFunctions",
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          // `:*` covers qualified ARNs (versions and aliases) of the same functions.
          Resource: functionArns.flatMap((fn) => [fn, `${fn}:*`]),
        },
        ...this.distributedMaps.flatMap((map) =>
          distributedMapStatements(context, stateMachineName, map, props.storage.raw),
        ),
        {
          Sid: "DeliverExecutionLogs",
          Effect: "Allow",
          Action: [
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
          ],
          Resource: ["*"],
        },
        {
          Sid: "SendTraces",
          Effect: "Allow",
          Action: [
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
          ],
          Resource: ["*"],
        },
      ]),
    });

    this.stateMachine = new SfnStateMachine(this, "state_machine", {
      name: stateMachineName,
      type: "STANDARD",
      roleArn: role.arn,
      definition,
      loggingConfiguration: {
        level: "ERROR",
        // Inputs and outputs stay out of the logs.
        includeExecutionData: false,
        logDestination: `${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
      // Step Functions checks the role's permissions when the state machine is created.
      dependsOn: [rolePolicy],
    });

    this.deadLetterQueue = new SqsQueue(this, "schedule_dead_letters", {
      name: `${prefix}-schedule-dead-letters`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    new SqsQueuePolicy(this, "schedule_dead_letters_tls_only", {
      queueUrl: this.deadLetterQueue.url,
      policy: policyJson([
        {
          Sid: "DenyRequestsWithoutTls",
          Effect: "Deny",
          Principal: "*",
          Action: ["sqs:*"],
          Resource: [this.deadLetterQueue.arn],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });

    const schedulerRole = new IamRole(this, "scheduler_role", {
      name: `${prefix}-scheduler`,
      assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com", context.accountId),
    });
    new IamRolePolicy(this, "scheduler_policy", {
      name: "start-pipeline",
      role: schedulerRole.id,
      policy: policyJson([
        {
          Sid: "StartPipeline",
          Effect: "Allow",
          Action: ["states:StartExecution"],
          Resource: [this.stateMachine.arn],
        },
        {
          // Scheduler delivers failed starts to the dead-letter queue with this role.
          Sid: "DeadLetterFailedStarts",
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [this.deadLetterQueue.arn],
        },
      ]),
    });

    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: `${prefix}-hourly-snapshot`,
      description:
        "Starts the Spotify snapshot pipeline with the scheduled time as the snapshot hour.",
      groupName: "default",
      scheduleExpression: config.schedule,
      scheduleExpressionTimezone: "UTC",
      state: config.scheduleEnabled ? "ENABLED" : "DISABLED",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: this.stateMachine.arn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify({ snapshot: SCHEDULED_TIME }),
        // A start retried within the hour still carries its own scheduled time.
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
    });
  }
}
