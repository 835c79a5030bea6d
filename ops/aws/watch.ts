// Following one execution from its history (GetExecutionHistory): each top-level state as it
// starts and ends, with its duration, the Map's progress, a redrive, and how the execution
// ended (the failed state, its error and cause). Reports events to a callback and returns the
// outcome: no terminal code here. A history is read page by page and polled until the
// execution ends; events already reported are skipped by id.
//
// A Distributed Map writes no iteration events to this history: only MapRunStarted (the Map
// Run's ARN) and MapRunSucceeded / MapRunFailed. Its progress is read from DescribeMapRun at
// each poll while it runs, and when it fails the parent's error is only
// States.ExceedToleratedFailureThreshold: the failed child execution (ListExecutions by Map Run,
// then DescribeExecution) holds the error to act on.

import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type HistoryEvent,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import { awsCall, type CallContext } from "../errors";

export type WatchEvent =
  | { kind: "state-entered"; state: string }
  | { kind: "state-exited"; state: string; durationMs: number }
  | { kind: "map-progress"; state: string; done: number; failed: number; total: number }
  | { kind: "redriven"; redriveCount: number }
  /** Something watch could not read (e.g. a permission the operator lacks); it goes on. */
  | { kind: "note"; message: string }
  | ({ kind: "ended" } & ExecutionEnd);

/** The failed child execution behind a failed Map Run. */
export interface ChildFailure {
  /** The Distributed Map state. */
  state: string;
  name: string;
  executionArn: string;
  error?: string;
  cause?: string;
}

export interface ExecutionEnd {
  status: "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
  failedState?: string;
  error?: string;
  cause?: string;
  child?: ChildFailure;
}

export interface WatchOptions {
  sfn: SFNClient;
  region: string;
  executionArn: string;
  /** Names of the definition's top-level states: the lines `watch` prints. */
  topLevelStates: ReadonlySet<string>;
  onEvent: (event: WatchEvent) => void;
  /** Between polls of a running execution (default 2 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * An end counts only after this many ExecutionRedriven events: after RedriveExecution the
   * history may still end with the failure being redriven for a moment.
   */
  minRedrives?: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const END_TYPES: Record<string, ExecutionEnd["status"]> = {
  ExecutionSucceeded: "SUCCEEDED",
  ExecutionFailed: "FAILED",
  ExecutionAborted: "ABORTED",
  ExecutionTimedOut: "TIMED_OUT",
};

/** Turns history events into WatchEvents, keeping what it needs across polls. */
export class HistoryReader {
  private readonly entered = new Map<string, number>();
  private readonly maps = new Map<string, { done: number; failed: number; total: number }>();
  private lastEntered: string | undefined;
  private lastFailure: { error?: string; cause?: string } | undefined;
  /** The Distributed Map's Map Run, from MapRunStarted: open until MapRunSucceeded/Failed. */
  mapRun: { state: string; arn: string; open: boolean } | undefined;
  /** Set by watchExecution after a MapRunFailed, for the end it reports. */
  childFailure: ChildFailure | undefined;
  redrives = 0;
  end: ExecutionEnd | undefined;

  constructor(
    private readonly topLevelStates: ReadonlySet<string>,
    private readonly onEvent: (event: WatchEvent) => void,
  ) {}

  read(event: HistoryEvent): void {
    const type = event.type ?? "";
    const at = event.timestamp?.getTime() ?? 0;
    const entered = event.stateEnteredEventDetails?.name;
    if (type.endsWith("StateEntered") && entered && this.topLevelStates.has(entered)) {
      this.entered.set(entered, at);
      this.lastEntered = entered;
      this.onEvent({ kind: "state-entered", state: entered });
      return;
    }
    const exited = event.stateExitedEventDetails?.name;
    if (type.endsWith("StateExited") && exited && this.topLevelStates.has(exited)) {
      const durationMs = at - (this.entered.get(exited) ?? at);
      this.entered.delete(exited);
      this.onEvent({ kind: "state-exited", state: exited, durationMs });
      return;
    }
    if (type === "MapStateStarted" && this.lastEntered) {
      const total = event.mapStateStartedEventDetails?.length ?? 0;
      this.maps.set(this.lastEntered, { done: 0, failed: 0, total });
      this.onEvent({ kind: "map-progress", state: this.lastEntered, done: 0, failed: 0, total });
      return;
    }
    if (type === "MapIterationSucceeded" || type === "MapIterationFailed") {
      const details =
        event.mapIterationSucceededEventDetails ?? event.mapIterationFailedEventDetails;
      const name = details?.name ?? this.lastEntered ?? "";
      const progress = this.maps.get(name);
      if (!progress) return;
      if (type === "MapIterationSucceeded") progress.done += 1;
      else progress.failed += 1;
      this.onEvent({ kind: "map-progress", state: name, ...progress });
      return;
    }
    const mapRunArn =
      event.mapRunStartedEventDetails?.mapRunArn ?? event.mapRunRedrivenEventDetails?.mapRunArn;
    if ((type === "MapRunStarted" || type === "MapRunRedriven") && mapRunArn && this.lastEntered) {
      this.mapRun = { state: this.lastEntered, arn: mapRunArn, open: true };
      return;
    }
    if ((type === "MapRunSucceeded" || type === "MapRunFailed") && this.mapRun) {
      this.mapRun.open = false;
    }
    const failure =
      event.taskFailedEventDetails ??
      event.lambdaFunctionFailedEventDetails ??
      event.taskTimedOutEventDetails ??
      event.mapRunFailedEventDetails;
    if (failure) {
      this.lastFailure = { error: failure.error, cause: failure.cause };
      return;
    }
    if (type === "ExecutionRedriven") {
      this.redrives = event.executionRedrivenEventDetails?.redriveCount ?? this.redrives + 1;
      this.end = undefined;
      this.childFailure = undefined;
      this.entered.clear();
      this.onEvent({ kind: "redriven", redriveCount: this.redrives });
      return;
    }
    const status = END_TYPES[type];
    if (!status) return;
    const details =
      event.executionFailedEventDetails ??
      event.executionAbortedEventDetails ??
      event.executionTimedOutEventDetails;
    // The state still open when the execution failed is where it failed (a Fail state included).
    const failedState = status === "SUCCEEDED" ? undefined : [...this.entered.keys()].pop();
    const error = details?.error ?? (status === "SUCCEEDED" ? undefined : this.lastFailure?.error);
    const cause = details?.cause ?? (status === "SUCCEEDED" ? undefined : this.lastFailure?.cause);
    const child = status === "SUCCEEDED" ? undefined : this.childFailure;
    this.end = {
      status,
      ...(failedState ? { failedState } : {}),
      ...(error ? { error } : {}),
      ...(cause ? { cause } : {}),
      ...(child ? { child } : {}),
    };
    this.onEvent({ kind: "ended", ...this.end });
  }
}

/** Follows the execution until it ends; returns how it ended. */
export async function watchExecution(watchOptions: WatchOptions): Promise<ExecutionEnd> {
  const options: Watch = { ...watchOptions, noted: new Set() };
  const sleep = options.sleep ?? wait;
  const reader = new HistoryReader(options.topLevelStates, options.onEvent);
  let lastId = 0;
  const context = {
    region: options.region,
    subject: `execution ${options.executionArn}`,
    notFoundHint: "List the recent ones with `runs --stage <stage>`.",
  };
  for (;;) {
    let nextToken: string | undefined;
    do {
      const page = await awsCall(context, () =>
        options.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: options.executionArn,
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      for (const event of page.events ?? []) {
        if ((event.id ?? 0) <= lastId) continue;
        lastId = event.id ?? lastId;
        reader.read(event);
        const mapRun = reader.mapRun;
        if (!mapRun || (event.type !== "MapRunSucceeded" && event.type !== "MapRunFailed")) {
          continue;
        }
        // Read before the execution's end event: the end names the failed child.
        await mapRunProgress(options, mapRun);
        if (event.type === "MapRunFailed") {
          reader.childFailure = await failedChild(options, mapRun);
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (reader.mapRun?.open) await mapRunProgress(options, reader.mapRun);
    if (reader.end && reader.redrives >= (options.minRedrives ?? 0)) return reader.end;
    await sleep(options.pollMs ?? 2000);
  }
}

/** The options, and the notes already reported (each is said once). */
type Watch = WatchOptions & { noted: Set<string> };

/**
 * Best effort: a watch should not die because the operator's role lacks DescribeMapRun or
 * ListExecutions (the execution's own events still tell how it ends). Says so once, as a note.
 */
async function bestEffort<T>(
  options: Watch,
  context: CallContext,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await awsCall(context, call);
  } catch (error) {
    const message = (error as Error).message;
    if (!options.noted.has(message)) {
      options.noted.add(message);
      options.onEvent({ kind: "note", message });
    }
    return undefined;
  }
}

/** The Map Run's item counts (DescribeMapRun), as the inline Map's map-progress. */
async function mapRunProgress(
  options: Watch,
  mapRun: { state: string; arn: string },
): Promise<void> {
  const described = await bestEffort(
    options,
    { region: options.region, subject: `Map Run ${mapRun.arn}` },
    () => options.sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRun.arn })),
  );
  const items = described?.itemCounts;
  if (!items) return;
  options.onEvent({
    kind: "map-progress",
    state: mapRun.state,
    done: items.succeeded ?? 0,
    failed: (items.failed ?? 0) + (items.timedOut ?? 0) + (items.aborted ?? 0),
    total: items.total ?? 0,
  });
}

/** One failed child execution of the Map Run and its error; undefined when none is listed. */
async function failedChild(
  options: Watch,
  mapRun: { state: string; arn: string },
): Promise<ChildFailure | undefined> {
  const context = { region: options.region, subject: `Map Run ${mapRun.arn}` };
  const listed = await bestEffort(options, context, () =>
    options.sfn.send(
      new ListExecutionsCommand({ mapRunArn: mapRun.arn, statusFilter: "FAILED", maxResults: 1 }),
    ),
  );
  const item = listed?.executions?.[0];
  if (!item?.executionArn) return undefined;
  const described = await bestEffort(
    options,
    { region: options.region, subject: `execution ${item.executionArn}` },
    () => options.sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn })),
  );
  return {
    state: mapRun.state,
    name: item.name ?? item.executionArn.split(":").pop() ?? "",
    executionArn: item.executionArn,
    ...(described?.error ? { error: described.error } : {}),
    ...(described?.cause ? { cause: described.cause } : {}),
  };
}
