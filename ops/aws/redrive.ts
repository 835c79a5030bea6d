// Redriving a failed execution (RedriveExecution): it resumes at the state that failed, with
// the same name and input. Step Functions refuses some (an execution that ended in a Fail
// state, or stopped more than 14 days ago); each refusal is explained with what to do instead.

import { RedriveExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { awsCall, OpsError } from "../errors";
import { describeExecution, parseExecutionName } from "./executions";

const REDRIVE_WINDOW_DAYS = 14;

export interface Redriven {
  executionArn: string;
  /** Redrives before this one: watch waits for one more ExecutionRedriven event. */
  previousRedrives: number;
}

/** What to do instead of redriving: start a new run of the same hour. */
function startInstead(name: string | undefined, stage: string): string {
  const snapshot = parseExecutionName(name ?? "")?.snapshot;
  return snapshot
    ? `start a new run of that hour instead: start --stage ${stage} --snapshot ${snapshot}`
    : `start a new run of that hour instead: start --stage ${stage} --snapshot <hour>`;
}

export async function redriveExecution(
  sfn: SFNClient,
  region: string,
  executionArn: string,
  stage: string,
  now = new Date(),
): Promise<Redriven> {
  const described = await describeExecution(sfn, region, executionArn);
  const status = described.status;
  if (status === "RUNNING" || status === "PENDING_REDRIVE") {
    throw new OpsError(
      `${executionArn} is ${status}: only a stopped execution can be redriven. Follow it with watch.`,
    );
  }
  if (status === "SUCCEEDED") {
    throw new OpsError(`${executionArn} SUCCEEDED: there is nothing to redrive.`);
  }
  const stoppedAt = described.stopDate;
  if (stoppedAt && now.getTime() - stoppedAt.getTime() > REDRIVE_WINDOW_DAYS * 24 * 3_600_000) {
    throw new OpsError(
      `${executionArn} stopped on ${stoppedAt.toISOString()}, more than ${REDRIVE_WINDOW_DAYS} days ` +
        `ago: Step Functions redrives only within ${REDRIVE_WINDOW_DAYS} days; ${startInstead(described.name, stage)}.`,
    );
  }
  if (described.redriveStatus === "NOT_REDRIVABLE") {
    const reason = described.redriveStatusReason ?? "Step Functions says it is not redrivable";
    const failState = /fail state/i.test(reason)
      ? " It ended in a Fail state: the pipeline decided the run cannot be trusted (a timeout, " +
        "failed checks, unavailable playlists), so resuming it would end the same way. Fix the " +
        "cause (watch shows it), then"
      : "";
    throw new OpsError(
      `${executionArn} cannot be redriven: ${reason}.${failState} ${startInstead(described.name, stage)}.`,
    );
  }
  await awsCall(
    {
      region,
      subject: `execution ${executionArn}`,
      notFoundHint: "List the recent ones with `runs --stage <stage>`.",
    },
    async () => {
      try {
        return await sfn.send(new RedriveExecutionCommand({ executionArn }));
      } catch (error) {
        if ((error as Error).name === "ExecutionNotRedrivable") {
          throw new OpsError(
            `${executionArn} cannot be redriven: ${(error as Error).message}. ${startInstead(described.name, stage)}.`,
          );
        }
        throw error;
      }
    },
  );
  return { executionArn, previousRedrives: described.redriveCount ?? 0 };
}
