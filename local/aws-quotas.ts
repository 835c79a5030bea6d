// The Step Functions quotas the local interpreter does not know, enforced the way AWS does, so
// a run that would fail in AWS fails here too:
//
// - Payload size: a state's input and output, and a Task's result, are at most 256 KiB of
//   UTF-8 JSON (262,144 bytes). Over it the state fails with States.DataLimitExceeded, a
//   terminal error that no Retry or Catch (not even States.ALL) handles, so the execution
//   fails. (docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Maximum
//   input or output size for a task, state, or execution"; concepts-error-handling.html,
//   States.DataLimitExceeded.)
// - Execution history: at most 25,000 events. At 24,999 events, a 25,000th that is
//   ExecutionSucceeded ends the run successfully; any other makes the 25,000th event
//   ExecutionFailed (bp-history-limit.html). AWS's cause reads "The execution reached the
//   maximum number of history events (25000)."; the docs do not name the Error, which is
//   reported here as States.Runtime.
//
// Counting rule: the events AWS writes (HistoryEventType in the API reference,
// API_HistoryEvent.html) for each event the interpreter reports:
//   ExecutionStarted / Succeeded / Failed / Aborted     1 each
//   Task entered    TaskStateEntered, TaskScheduled, TaskStarted                 3
//   Task exited     TaskSucceeded, TaskStateExited                               2
//   Task failed     TaskFailed                                                   1
//   Task retried    TaskScheduled, TaskStarted (the attempt after the failure)   2
//   Map entered     MapStateEntered, MapStateStarted                             2
//   Map exited      MapStateSucceeded, MapStateExited                            2
//   Map failed      MapStateFailed                                               1
//   Map iteration   MapIterationStarted, then MapIterationSucceeded or ...Failed 1 + 1
//   Parallel        as Map (ParallelStateEntered/Started/Succeeded/Exited/Failed)
//   Pass, Choice, Wait, Succeed   <Type>StateEntered, <Type>StateExited           1 + 1
//   Fail            FailStateEntered (then ExecutionFailed)                      1
//   caught error    <Type>StateExited, carrying the error output                 1
//   Distributed Map (run by local/distributed-map.ts, reported as a Task of the Map's name)
//     entered       MapStateEntered, MapStateStarted, MapRunStarted                3
//     exited        MapRunSucceeded, MapStateSucceeded, MapStateExited             3
//     failed        MapRunFailed, MapStateFailed                                   2
// An inline Map writes every iteration's events into the parent's history, which is why the
// counts of Map iterations add up. A Distributed Map's children are executions of their own:
// each has its own meter (the same rule, the same 256 KiB; Standard children the same 25,000
// events, Express children no history cap but 5 minutes, quotas "Express workflows"), and
// none of their events count in the parent's history.

import type { StateMachine } from "aws-local-stepfunctions";

export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;
export const HISTORY_EVENT_LIMIT = 25_000;

type ExecutionEvent =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** Bytes of a value as Step Functions measures a payload: its JSON text in UTF-8. */
export const payloadBytes = (value: unknown): number =>
  Buffer.byteLength(JSON.stringify(value ?? null), "utf8");

/**
 * A quota's failure, thrown into the interpreter from a Task: States.DataLimitExceeded (or
 * States.Runtime at the history cap), never retried or caught, as in AWS.
 */
export class QuotaExceededError extends Error {
  // Read by the interpreter's Retry and Catch matching (duck-typed, as for its States.Runtime).
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(violation: Pick<QuotaViolation, "error" | "cause">) {
    super(violation.cause);
    this.name = violation.error;
  }
}

export interface QuotaViolation {
  error: string;
  cause: string;
  /** The top-level state the execution failed in (the Map, for a state of an iteration). */
  state?: { name: string; input: unknown };
}

export interface QuotaUsage {
  /** History events AWS would have written so far. */
  historyEvents: number;
  /** The largest state input, output or Task result seen, in bytes, and where. */
  largestPayload: { bytes: number; state: string; what: "input" | "output" | "result" };
  /** A Distributed Map's child executions: how many, the longest history, the largest payload. */
  childExecutions?: {
    count: number;
    largestHistoryEvents: number;
    largestPayload: QuotaUsage["largestPayload"];
  };
}

export interface QuotaMeterOptions {
  /** Top-level states that are Distributed Maps (reported by the interpreter as Tasks). */
  distributedMaps?: ReadonlySet<string>;
  /** An Express execution has no history cap (Standard: HISTORY_EVENT_LIMIT). */
  executionType?: "STANDARD" | "EXPRESS";
}

const TWO_PHASE = new Set(["Task", "Map", "Parallel"]);

/** History events AWS writes for one event of the interpreter (see the rule above). */
export function historyEventsOf(
  event: ExecutionEvent,
  distributedMaps: ReadonlySet<string> = new Set(),
): number {
  if ("state" in event && event.index === undefined && distributedMaps.has(event.state.name)) {
    if (event.type === "StateEntered" || event.type === "StateExited") return 3;
    if (event.type === "StateFailed") return 2;
  }
  switch (event.type) {
    case "ExecutionStarted":
    case "ExecutionSucceeded":
    case "ExecutionFailed":
    case "ExecutionAborted":
    case "ExecutionTimeout":
    case "MapIterationStarted":
    case "MapIterationSucceeded":
    case "MapIterationFailed":
    case "StateCaught":
      return 1;
    case "StateEntered":
      return event.state.type === "Task" ? 3 : TWO_PHASE.has(event.state.type) ? 2 : 1;
    case "StateExited":
      return TWO_PHASE.has(event.state.type) ? 2 : 1;
    case "StateFailed":
      return TWO_PHASE.has(event.state.type) ? 1 : 0;
    case "StateRetried":
      return event.state.type === "Task" ? 2 : 1;
    default:
      return 0;
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Watches an execution's events: counts the history and checks every payload. */
export class QuotaMeter {
  private events = 0;
  private largest: QuotaUsage["largestPayload"] = { bytes: 0, state: "", what: "input" };
  private topLevel?: { name: string; input: unknown };
  private children?: NonNullable<QuotaUsage["childExecutions"]>;
  violation?: QuotaViolation;

  constructor(private readonly options: QuotaMeterOptions = {}) {}

  usage(): QuotaUsage {
    return {
      historyEvents: this.events,
      largestPayload: { ...this.largest },
      ...(this.children ? { childExecutions: { ...this.children } } : {}),
    };
  }

  /** Notes a finished child execution of a Distributed Map (its events are not this one's). */
  addChild(child: QuotaUsage): void {
    const sum = this.children ?? {
      count: 0,
      largestHistoryEvents: 0,
      largestPayload: { bytes: 0, state: "", what: "input" as const },
    };
    this.children = {
      count: sum.count + 1,
      largestHistoryEvents: Math.max(sum.largestHistoryEvents, child.historyEvents),
      largestPayload:
        child.largestPayload.bytes > sum.largestPayload.bytes
          ? { ...child.largestPayload }
          : sum.largestPayload,
    };
  }

  /** Checks one payload; the violation, if it is over the limit. */
  checkPayload(state: string, what: "input" | "output" | "result", value: unknown) {
    const bytes = payloadBytes(value);
    if (bytes > this.largest.bytes) this.largest = { bytes, state, what };
    if (bytes <= STATE_PAYLOAD_LIMIT_BYTES) return undefined;
    const subject =
      what === "result"
        ? `task '${state}' returned a result`
        : `state '${state}' ${what === "input" ? "has an input" : "returned an output"}`;
    return this.fail({
      error: "States.DataLimitExceeded",
      cause:
        `The ${subject} with a size exceeding the maximum number of bytes service limit ` +
        `(${bytes} bytes, ${kib(bytes)}; the limit is ${STATE_PAYLOAD_LIMIT_BYTES} bytes).`,
    });
  }

  /** Takes one event of the interpreter; returns the violation it causes, if any. */
  observe(event: ExecutionEvent): QuotaViolation | undefined {
    if (this.violation) return undefined;
    if (event.type === "StateEntered" && event.index === undefined) {
      this.topLevel = { name: event.state.name, input: event.state.input };
    }
    this.events += historyEventsOf(event, this.options.distributedMaps);
    // The 25,000th event may only be ExecutionSucceeded; anything else fails the execution.
    if (
      this.options.executionType !== "EXPRESS" &&
      event.type !== "ExecutionSucceeded" &&
      this.events >= HISTORY_EVENT_LIMIT
    ) {
      this.events = HISTORY_EVENT_LIMIT;
      return this.fail({
        error: "States.Runtime",
        cause: `The execution reached the maximum number of history events (${HISTORY_EVENT_LIMIT}).`,
      });
    }
    if (event.type === "StateEntered") {
      return this.checkPayload(event.state.name, "input", event.state.input);
    }
    if (event.type === "StateExited") {
      return this.checkPayload(event.state.name, "output", event.state.output);
    }
    return undefined;
  }

  private fail(violation: QuotaViolation): QuotaViolation {
    this.violation = { ...violation, ...(this.topLevel ? { state: this.topLevel } : {}) };
    return this.violation;
  }
}
