// The backfill's AWS runner: an hour is one execution of the stack's state machine, named
// after its snapshot; an hour is done when an execution of it in the same mode SUCCEEDED (or
// is RUNNING: a second one would only wait for its lease). The snapshot of executions the
// CLI did not name (the scheduler's) is read from their output.

import type { SFNClient } from "@aws-sdk/client-sfn";
import { lambdaErrorMessage } from "../../functions/commons/errors";
import {
  describeExecution,
  listExecutions,
  parseExecutionName,
  startExecution,
  summarize,
  type RunMode,
} from "../aws/executions";
import type { BackfillRunner, HourOutcome } from "./engine";

export interface AwsRunnerOptions {
  sfn: SFNClient;
  region: string;
  stateMachineArn: string;
  mode: RunMode;
  playlists?: string[];
  /** Between DescribeExecution polls of a running hour (default 10 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called with each execution as it starts (its console link, say). */
  onStarted?: (hour: string, executionArn: string) => void;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function awsBackfillRunner(options: AwsRunnerOptions): BackfillRunner {
  const { sfn, region, stateMachineArn, mode } = options;
  const sleep = options.sleep ?? wait;
  return {
    async alreadyDone(hours) {
      const wanted = new Set(hours);
      const done = new Map<string, { execution: string; note: string }>();
      for (const status of ["SUCCEEDED", "RUNNING"] as const) {
        for (const item of await listExecutions(sfn, region, stateMachineArn, { status })) {
          let run = parseExecutionName(item.name ?? "");
          if (!run && status === "SUCCEEDED") {
            const summary = summarize(
              item,
              await describeExecution(sfn, region, item.executionArn!),
            );
            run =
              summary.snapshot && summary.mode
                ? { snapshot: summary.snapshot, mode: summary.mode as RunMode }
                : undefined;
          }
          if (!run || run.mode !== mode) continue;
          const hour = new Date(run.snapshot).toISOString();
          if (!wanted.has(hour) || done.has(hour)) continue;
          done.set(hour, {
            execution: item.name ?? item.executionArn ?? "",
            note: status === "SUCCEEDED" ? "already succeeded" : "already running",
          });
        }
      }
      return done;
    },

    async runHour(hour): Promise<Omit<HourOutcome, "hour">> {
      const started = await startExecution(sfn, region, stateMachineArn, {
        snapshot: hour,
        mode,
        ...(options.playlists ? { playlists: options.playlists } : {}),
      });
      options.onStarted?.(hour, started.executionArn);
      for (;;) {
        const described = await describeExecution(sfn, region, started.executionArn);
        if (described.status !== "RUNNING" && described.status !== "PENDING_REDRIVE") {
          const summary = summarize({ ...described, name: started.name }, described);
          return {
            status: described.status === "SUCCEEDED" ? "SUCCEEDED" : "FAILED",
            execution: started.name,
            ...(summary.durationMs !== undefined ? { durationMs: summary.durationMs } : {}),
            ...(summary.rows !== undefined ? { rows: summary.rows } : {}),
            ...(described.status === "SUCCEEDED"
              ? {}
              : {
                  note: `${described.status}${described.error ? ` ${described.error}` : ""}${
                    described.cause ? `: ${lambdaErrorMessage(described.cause)}` : ""
                  }`,
                }),
          };
        }
        await sleep(options.pollMs ?? 10_000);
      }
    },
  };
}
