// Following one execution from its history (GetExecutionHistory): each top-level state as it
// starts and ends, with its duration, the Map's progress, a redrive, and how the execution
// ended (the failed state, its error and cause). Reports events to a callback and returns the
// outcome: no terminal code here. A history is read page by page and polled until the
// execution ends; events already reported are skipped by id.

import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from "@aws-sdk/client-sfn";
import { awsCall } from "../errors";

export type WatchEvent =
  | { kind: "state-entered"; state: string }
  | { kind: "state-exited"; state: string; durationMs: number }
  | { kind: "map-progress"; state: string; done: number; failed: number; total: number }
  | { kind: "redriven"; redriveCount: number }
  | {
      kind: "ended";
      status: ExecutionEnd["status"];
      failedState?: string;
      error?: string;
      cause?: string;
    };

export interface ExecutionEnd {
  status: "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
  failedState?: string;
  error?: string;
  cause?: string;
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
    this.end = {
      status,
      ...(failedState ? { failedState } : {}),
      ...(error ? { error } : {}),
      ...(cause ? { cause } : {}),
    };
    this.onEvent({ kind: "ended", ...this.end });
  }
}

/** Follows the execution until it ends; returns how it ended. */
export async function watchExecution(options: WatchOptions): Promise<ExecutionEnd> {
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
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (reader.end && reader.redrives >= (options.minRedrives ?? 0)) return reader.end;
    await sleep(options.pollMs ?? 2000);
  }
}
