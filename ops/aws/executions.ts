// The pipeline's executions in Step Functions: starting one with a readable name that holds
// its snapshot, finding one by name or ARN, and listing recent ones with what they produced.
// Knows nothing of the terminal: callers print what these return.

import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import { randomBytes } from "node:crypto";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import { awsCall, OpsError } from "../errors";

export type RunMode = "full" | "reprocess";

export interface StartRequest {
  /** An ISO hour; default the current hour. */
  snapshot?: string;
  playlists?: string[];
  mode?: RunMode;
}

/** `2026-11-22T05-full-1a2b3c4d`: the snapshot hour, the mode, a random part (names are unique per state machine). */
export function executionNameOf(snapshotIso: string, mode: RunMode, random = randomHex()): string {
  const hour = parseSnapshotHour(snapshotIso);
  return `${hour.date}T${hour.hour}-${mode}-${random}`;
}

const randomHex = () => randomBytes(4).toString("hex");

const NAME_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(full|reprocess)-[0-9a-z]+$/;

/** The snapshot and mode a name built by executionNameOf holds; undefined for other names (the scheduler's). */
export function parseExecutionName(name: string): { snapshot: string; mode: RunMode } | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match) return undefined;
  return { snapshot: `${match[1]}T${match[2]}:00:00.000Z`, mode: match[3] as RunMode };
}

/** The current UTC hour, as an ISO instant. */
export const currentHour = (now = new Date()): string =>
  new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000).toISOString();

/** The execution input the pipeline reads (statemachine: PrepareRun); the name carries the snapshot. */
export function executionInput(request: StartRequest): { snapshot: string } & StartRequest {
  const snapshot = parseSnapshotHour(request.snapshot ?? currentHour()).iso;
  return {
    snapshot,
    ...(request.playlists ? { playlists: request.playlists } : {}),
    ...(request.mode && request.mode !== "full" ? { mode: request.mode } : {}),
  };
}

export interface StartedExecution {
  executionArn: string;
  name: string;
  snapshot: string;
  startDate: Date;
}

export async function startExecution(
  sfn: SFNClient,
  region: string,
  stateMachineArn: string,
  request: StartRequest,
): Promise<StartedExecution> {
  const input = executionInput(request);
  const name = executionNameOf(input.snapshot, request.mode ?? "full");
  const answer = await awsCall(
    {
      region,
      subject: `state machine ${stateMachineArn}`,
      notFoundHint: "Is the stack deployed in this region (--stage, --region)?",
    },
    () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
  );
  return {
    executionArn: answer.executionArn!,
    name,
    snapshot: input.snapshot,
    startDate: answer.startDate ?? new Date(),
  };
}

/** The console page of an execution. */
export function consoleLink(executionArn: string): string {
  const region = executionArn.split(":")[3] ?? "";
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * An execution's ARN from what the user typed: an ARN as is (its region must be the
 * client's), or a name, under the stack's state machine.
 */
export function executionArnOf(reference: string, stateMachineArn: string, region: string): string {
  if (reference.startsWith("arn:")) {
    const parts = reference.split(":");
    if (parts[2] !== "states" || parts[5] !== "execution" || parts.length < 8) {
      throw new OpsError(`${reference} is not a Step Functions execution ARN`);
    }
    if (parts[3] !== region) {
      throw new OpsError(
        `${reference} is in region ${parts[3]}, but this command talks to ${region}: ` +
          `pass --region ${parts[3]} (or the stage deployed there).`,
      );
    }
    return reference;
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(reference)) {
    throw new OpsError(`${JSON.stringify(reference)} is neither an execution ARN nor a name`);
  }
  const parts = stateMachineArn.split(":");
  if (parts[5] !== "stateMachine" || parts.length < 7) {
    throw new OpsError(`${stateMachineArn} is not a state machine ARN`);
  }
  return [...parts.slice(0, 5), "execution", parts[6], reference].join(":");
}

export async function describeExecution(
  sfn: SFNClient,
  region: string,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  return awsCall(
    {
      region,
      subject: `execution ${executionArn}`,
      notFoundHint: "List the recent ones with `runs --stage <stage>`.",
    },
    () => sfn.send(new DescribeExecutionCommand({ executionArn })),
  );
}

/** One execution as `runs` shows it. */
export interface RunSummary {
  name: string;
  executionArn: string;
  status: string;
  snapshot?: string;
  mode?: string;
  startDate?: Date;
  stopDate?: Date;
  durationMs?: number;
  /** Rows written, summed over the tables (SUCCEEDED runs only). */
  rows?: number;
  redriveCount?: number;
}

/** Snapshot, mode and rows from an execution's input and output (PipelineOutput). */
export function summarize(
  item: Pick<ExecutionListItem, "name" | "executionArn" | "status" | "startDate" | "stopDate">,
  described?: Pick<DescribeExecutionCommandOutput, "input" | "output" | "redriveCount">,
): RunSummary {
  const parse = (text: string | undefined): Record<string, unknown> => {
    try {
      const value = JSON.parse(text ?? "") as unknown;
      return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const input = parse(described?.input);
  const output = parse(described?.output) as {
    run?: { snapshot?: string; mode?: string };
    transform?: { rows?: Record<string, number> };
  };
  const fromName = parseExecutionName(item.name ?? "");
  const snapshot =
    output.run?.snapshot ??
    (typeof input.snapshot === "string" ? input.snapshot : undefined) ??
    fromName?.snapshot;
  const mode =
    output.run?.mode ?? (typeof input.mode === "string" ? input.mode : undefined) ?? fromName?.mode;
  const rows = output.transform?.rows
    ? Object.values(output.transform.rows).reduce((sum, n) => sum + (Number(n) || 0), 0)
    : undefined;
  const durationMs =
    item.startDate && item.stopDate
      ? item.stopDate.getTime() - item.startDate.getTime()
      : undefined;
  return {
    name: item.name ?? "",
    executionArn: item.executionArn ?? "",
    status: item.status ?? "",
    ...(snapshot ? { snapshot } : {}),
    ...(mode ? { mode } : {}),
    ...(item.startDate ? { startDate: item.startDate } : {}),
    ...(item.stopDate ? { stopDate: item.stopDate } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(rows !== undefined ? { rows } : {}),
    ...(described?.redriveCount ? { redriveCount: described.redriveCount } : {}),
  };
}

export interface ListOptions {
  status?: ExecutionStatus;
  /** Only executions started at or after this instant. */
  since?: Date;
  /** At most this many (newest first). */
  limit?: number;
}

/**
 * Executions newest first, page by page (ListExecutions returns them by start date,
 * descending), stopping at `limit` or at the first one older than `since`.
 */
export async function listExecutions(
  sfn: SFNClient,
  region: string,
  stateMachineArn: string,
  options: ListOptions = {},
): Promise<ExecutionListItem[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(
      {
        region,
        subject: `state machine ${stateMachineArn}`,
        notFoundHint: "Is the stack deployed in this region (--stage, --region)?",
      },
      () =>
        sfn.send(
          new ListExecutionsCommand({
            stateMachineArn,
            ...(options.status ? { statusFilter: options.status } : {}),
            maxResults: Math.min(1000, Number.isFinite(limit) ? Math.max(limit, 1) : 1000),
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
    );
    for (const item of page.executions ?? []) {
      if (options.since && item.startDate && item.startDate < options.since) return found;
      found.push(item);
      if (found.length >= limit) return found;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** Recent runs with snapshot and rows: one DescribeExecution each (ListExecutions has neither). */
export async function recentRuns(
  sfn: SFNClient,
  region: string,
  stateMachineArn: string,
  options: ListOptions = {},
): Promise<RunSummary[]> {
  const items = await listExecutions(sfn, region, stateMachineArn, {
    limit: 20,
    ...options,
  });
  const runs: RunSummary[] = [];
  for (const item of items) {
    runs.push(summarize(item, await describeExecution(sfn, region, item.executionArn!)));
  }
  return runs;
}
