// `watch` and `redrive` (ops/aws/watch.ts, ops/aws/redrive.ts) against scripted execution
// histories, as GetExecutionHistory returns them: a run that succeeds (each top-level state
// with its duration, the Map's progress), one that fails (the failed state, error and cause),
// and a redrive (the failure, ExecutionRedriven, then the resumed states). Histories are
// paged and polled; no event is reported twice. A Distributed Map's history has only its Map
// Run's start and end: its progress comes from DescribeMapRun, and a failed Map Run's error
// from its failed child execution (ListExecutions by Map Run, DescribeExecution).

import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { redriveExecution } from "../../ops/aws/redrive";
import { watchExecution, type WatchEvent } from "../../ops/aws/watch";
import { watchPrinter } from "../../ops/print";
import { loadPipelineDefinition } from "../../statemachine/pipeline";

const REGION = "eu-west-1";
const ARN =
  "arn:aws:states:eu-west-1:123456789012:execution:spotify-lake-dev-pipeline:2026-11-22T05-full-00c0ffee";
const TOP_LEVEL = new Set(Object.keys(loadPipelineDefinition().States));

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: REGION });
beforeEach(() => sfnMock.reset());

/** A history as Step Functions writes it: ids from 1, one second apart unless told. */
type Step = { type: string; at?: number } & Record<string, unknown>;
function history(...steps: Step[]): HistoryEvent[] {
  let clock = Date.parse("2026-11-22T06:00:00Z");
  return steps.map(({ at, ...event }, i) => {
    clock = at ?? clock + 1000;
    return {
      id: i + 1,
      previousEventId: i,
      timestamp: new Date(clock),
      ...event,
    } as unknown as HistoryEvent;
  });
}
const entered = (name: string, type = "TaskStateEntered") => ({
  type,
  stateEnteredEventDetails: { name },
});
const exited = (name: string, type = "TaskStateExited") => ({
  type,
  stateExitedEventDetails: { name },
});
const iteration = (type: string, index: number) => ({
  type,
  [type === "MapIterationSucceeded"
    ? "mapIterationSucceededEventDetails"
    : "mapIterationFailedEventDetails"]: { name: "ExtractPlaylists", index },
});

const SUCCEEDED_RUN = history(
  { type: "ExecutionStarted" },
  entered("PrepareRun"),
  { type: "LambdaFunctionScheduled" },
  exited("PrepareRun"),
  entered("ChooseMode", "ChoiceStateEntered"),
  exited("ChooseMode", "ChoiceStateExited"),
  entered("ExtractPlaylists", "MapStateEntered"),
  { type: "MapStateStarted", mapStateStartedEventDetails: { length: 4 } },
  { type: "MapIterationStarted" },
  entered("ExtractPlaylist"),
  exited("ExtractPlaylist"),
  iteration("MapIterationSucceeded", 0),
  iteration("MapIterationSucceeded", 1),
  iteration("MapIterationSucceeded", 2),
  iteration("MapIterationSucceeded", 3),
  { type: "MapStateSucceeded" },
  { ...exited("ExtractPlaylists", "MapStateExited"), at: Date.parse("2026-11-22T06:01:30Z") },
  entered("RunSucceeded", "SucceedStateEntered"),
  exited("RunSucceeded", "SucceedStateExited"),
  { type: "ExecutionSucceeded", executionSucceededEventDetails: { output: "{}" } },
);

const CAUSE = JSON.stringify({
  errorType: "SpotifyAuthError",
  errorMessage: "Spotify refused the refresh token (invalid_grant): run authorize --stage dev",
});
const FAILED_RUN = history(
  { type: "ExecutionStarted" },
  entered("PrepareRun"),
  exited("PrepareRun"),
  entered("ExtractArtists"),
  {
    type: "LambdaFunctionFailed",
    lambdaFunctionFailedEventDetails: { error: "SpotifyAuthError", cause: CAUSE },
  },
  {
    type: "ExecutionFailed",
    executionFailedEventDetails: { error: "SpotifyAuthError", cause: CAUSE },
  },
);

/** The watched execution, as every test here follows it. */
const WATCHED = { sfn, region: REGION, executionArn: ARN, topLevelStates: TOP_LEVEL };

function collect() {
  const events: WatchEvent[] = [];
  const lines: string[] = [];
  const print = watchPrinter((line) => lines.push(line));
  return {
    events,
    lines,
    onEvent: (event: WatchEvent) => {
      events.push(event);
      print(event);
    },
  };
}

describe("Function: watchExecution", () => {
  it("reports each top-level state with its duration and the Map's progress, and ends SUCCEEDED", async () => {
    // Prepare: the history in two pages.
    sfnMock
      .on(GetExecutionHistoryCommand, { executionArn: ARN, nextToken: undefined })
      .resolves({ events: SUCCEEDED_RUN.slice(0, 10), nextToken: "p2" })
      .on(GetExecutionHistoryCommand, { nextToken: "p2" })
      .resolves({ events: SUCCEEDED_RUN.slice(10) });
    const { events, lines, onEvent } = collect();

    // Act
    const end = await watchExecution({
      ...WATCHED,
      onEvent,
      sleep: async () => {},
    });

    // Assess
    expect(end).toEqual({ status: "SUCCEEDED" });
    expect(events.filter((e) => e.kind === "state-exited")).toEqual([
      { kind: "state-exited", state: "PrepareRun", durationMs: 2000 },
      { kind: "state-exited", state: "ChooseMode", durationMs: 1000 },
      { kind: "state-exited", state: "ExtractPlaylists", durationMs: 83_000 },
      { kind: "state-exited", state: "RunSucceeded", durationMs: 1000 },
    ]);
    // The Map's inner state is not a line of its own; its iterations are counted.
    expect(events.some((e) => "state" in e && e.state === "ExtractPlaylist")).toBe(false);
    expect(events.filter((e) => e.kind === "map-progress").at(-1)).toEqual({
      kind: "map-progress",
      state: "ExtractPlaylists",
      done: 4,
      failed: 0,
      total: 4,
    });
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✔ ExtractPlaylists +1 min 23 s$/));
    expect(lines).toContain("    ExtractPlaylists: 4/4 iterations done");
    expect(lines.at(-1)).toBe("Execution SUCCEEDED");
    const requests = sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(requests).toEqual([
      { executionArn: ARN, maxResults: 1000 },
      { executionArn: ARN, maxResults: 1000, nextToken: "p2" },
    ]);
  });

  it("on failure names the failed state, the error and the cause's message", async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: FAILED_RUN });
    const { lines, onEvent } = collect();

    const end = await watchExecution({
      ...WATCHED,
      onEvent,
      sleep: async () => {},
    });

    expect(end).toEqual({
      status: "FAILED",
      failedState: "ExtractArtists",
      error: "SpotifyAuthError",
      cause: CAUSE,
    });
    expect(lines.slice(-2)).toEqual([
      "Execution FAILED in ExtractArtists: SpotifyAuthError",
      "  Spotify refused the refresh token (invalid_grant): run authorize --stage dev",
    ]);
  });

  it("names the Fail state a run ended in", async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: history(
        { type: "ExecutionStarted" },
        entered("CrawlerTimedOut", "FailStateEntered"),
        {
          type: "ExecutionFailed",
          executionFailedEventDetails: {
            error: "CrawlerTimeoutError",
            cause: "the crawler ran for 15 minutes",
          },
        },
      ),
    });
    const end = await watchExecution({
      ...WATCHED,
      onEvent: () => {},
      sleep: async () => {},
    });
    expect(end).toMatchObject({ failedState: "CrawlerTimedOut", error: "CrawlerTimeoutError" });
  });

  it("polls a running execution until it ends, reporting each event once", async () => {
    // Prepare: three polls see the history grow.
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: SUCCEEDED_RUN.slice(0, 4) })
      .resolvesOnce({ events: SUCCEEDED_RUN.slice(0, 12) })
      .resolves({ events: SUCCEEDED_RUN });
    const sleeps: number[] = [];
    const { events, onEvent } = collect();

    // Act
    await watchExecution({
      ...WATCHED,
      onEvent,
      pollMs: 2000,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Assess
    expect(sleeps).toEqual([2000, 2000]);
    expect(
      events.filter((e) => e.kind === "state-entered" && e.state === "PrepareRun"),
    ).toHaveLength(1);
    expect(events.filter((e) => e.kind === "ended")).toHaveLength(1);
  });

  it("after a redrive, waits past the old failure for the resumed run's end", async () => {
    // Prepare: the first poll still ends with the failure being redriven.
    const redriven = history(
      ...FAILED_RUN.map(({ id: _, timestamp: __, previousEventId: ___, ...e }) => e as Step),
      { type: "ExecutionRedriven", executionRedrivenEventDetails: { redriveCount: 1 } },
      entered("ExtractArtists"),
      exited("ExtractArtists"),
      entered("RunSucceeded", "SucceedStateEntered"),
      exited("RunSucceeded", "SucceedStateExited"),
      { type: "ExecutionSucceeded" },
    );
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: FAILED_RUN })
      .resolves({ events: redriven });
    const { events, lines, onEvent } = collect();

    // Act
    const end = await watchExecution({
      ...WATCHED,
      onEvent,
      minRedrives: 1,
      sleep: async () => {},
    });

    // Assess
    expect(end).toEqual({ status: "SUCCEEDED" });
    expect(events.map((e) => e.kind)).toContain("redriven");
    expect(lines).toContain("  ↻ redriven (redrive 1): resuming where it failed");
    expect(lines.at(-1)).toBe("Execution SUCCEEDED");
  });
});

describe("Function: watchExecution, a Distributed Map", () => {
  const MAP_RUN_ARN =
    "arn:aws:states:eu-west-1:123456789012:mapRun:spotify-lake-dev-pipeline/ExtractPlaylists:1a2b3c4d";
  const CHILD_ARN =
    "arn:aws:states:eu-west-1:123456789012:execution:spotify-lake-dev-pipeline/ExtractPlaylists:0f1e2d3c-child";
  const counts = (succeeded: number, failed: number, total: number) => ({
    pending: total - succeeded - failed,
    running: 0,
    succeeded,
    failed,
    timedOut: 0,
    aborted: 0,
    total,
    resultsWritten: succeeded,
  });
  const describedMapRun = (succeeded: number, failed: number, total: number) => ({
    mapRunArn: MAP_RUN_ARN,
    executionArn: ARN,
    status: "RUNNING" as const,
    startDate: new Date("2026-11-22T06:00:05Z"),
    maxConcurrency: 4,
    toleratedFailurePercentage: 0,
    toleratedFailureCount: 0,
    itemCounts: counts(succeeded, failed, total),
    executionCounts: counts(Math.ceil(succeeded / 2), failed ? 1 : 0, Math.ceil(total / 2)),
  });
  const mapRunStart = [
    { type: "ExecutionStarted" },
    entered("PrepareRun"),
    exited("PrepareRun"),
    entered("ExtractPlaylists", "MapStateEntered"),
    { type: "MapStateStarted", mapStateStartedEventDetails: { length: 0 } },
    { type: "MapRunStarted", mapRunStartedEventDetails: { mapRunArn: MAP_RUN_ARN } },
  ];
  const THRESHOLD = {
    error: "States.ExceedToleratedFailureThreshold",
    cause: "The specified tolerated failure threshold was exceeded",
  };
  const FAILED_MAP_RUN = history(
    ...mapRunStart,
    { type: "MapRunFailed", mapRunFailedEventDetails: THRESHOLD },
    { type: "MapStateFailed" },
    { type: "ExecutionFailed", executionFailedEventDetails: THRESHOLD },
  );
  const CHILD_CAUSE = JSON.stringify({
    errorType: "SpotifyAuthorizationExpiredError",
    errorMessage: "The Spotify authorization has expired: run authorize --stage dev",
  });

  it("reports the Map Run's progress from DescribeMapRun at each poll and at its end", async () => {
    // Prepare: the first poll sees the Map Run started, the second its end.
    const succeeded = history(
      ...mapRunStart,
      { type: "MapRunSucceeded" },
      { type: "MapStateSucceeded" },
      exited("ExtractPlaylists", "MapStateExited"),
      { type: "ExecutionSucceeded" },
    );
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: succeeded.slice(0, mapRunStart.length) })
      .resolves({ events: succeeded })
      .on(DescribeMapRunCommand, { mapRunArn: MAP_RUN_ARN })
      .resolvesOnce(describedMapRun(2, 0, 4))
      .resolves({ ...describedMapRun(4, 0, 4), status: "SUCCEEDED" });
    const { events, lines, onEvent } = collect();

    // Act
    const end = await watchExecution({ ...WATCHED, onEvent, sleep: async () => {} });

    // Assess: the inline Map's 0/0 from MapStateStarted, then the Map Run's item counts.
    expect(end).toEqual({ status: "SUCCEEDED" });
    expect(events.filter((e) => e.kind === "map-progress").slice(1)).toEqual([
      { kind: "map-progress", state: "ExtractPlaylists", done: 2, failed: 0, total: 4 },
      { kind: "map-progress", state: "ExtractPlaylists", done: 4, failed: 0, total: 4 },
    ]);
    expect(lines).toContain("    ExtractPlaylists: 2/4 iterations done");
    expect(lines).toContain("    ExtractPlaylists: 4/4 iterations done");
    expect(sfnMock.commandCalls(DescribeMapRunCommand)).toHaveLength(2);
    expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  it("on a failed Map Run names the failed child execution, its error and its cause's message", async () => {
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolves({ events: FAILED_MAP_RUN })
      .on(DescribeMapRunCommand)
      .resolves({ ...describedMapRun(1, 1, 4), status: "FAILED" })
      .on(ListExecutionsCommand)
      .resolves({
        executions: [
          {
            executionArn: CHILD_ARN,
            stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:x",
            name: "0f1e2d3c-child",
            status: "FAILED",
            startDate: new Date("2026-11-22T06:00:06Z"),
          },
        ],
      })
      .on(DescribeExecutionCommand, { executionArn: CHILD_ARN })
      .resolves({
        executionArn: CHILD_ARN,
        stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:x",
        status: "FAILED",
        startDate: new Date("2026-11-22T06:00:06Z"),
        error: "SpotifyAuthorizationExpiredError",
        cause: CHILD_CAUSE,
      });
    const { events, lines, onEvent } = collect();

    const end = await watchExecution({ ...WATCHED, onEvent, sleep: async () => {} });

    expect(end).toEqual({
      status: "FAILED",
      failedState: "ExtractPlaylists",
      ...THRESHOLD,
      child: {
        state: "ExtractPlaylists",
        name: "0f1e2d3c-child",
        executionArn: CHILD_ARN,
        error: "SpotifyAuthorizationExpiredError",
        cause: CHILD_CAUSE,
      },
    });
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toEqual({
      mapRunArn: MAP_RUN_ARN,
      statusFilter: "FAILED",
      maxResults: 1,
    });
    expect(events.filter((e) => e.kind === "map-progress").at(-1)).toMatchObject({
      done: 1,
      failed: 1,
      total: 4,
    });
    // The parent's error stays; the child's follows, worded as the local run's summary.
    expect(lines.slice(-4)).toEqual([
      "Execution FAILED in ExtractPlaylists: States.ExceedToleratedFailureThreshold",
      "  The specified tolerated failure threshold was exceeded",
      "  ExtractPlaylists's child execution 0f1e2d3c-child failed: SpotifyAuthorizationExpiredError",
      "  The Spotify authorization has expired: run authorize --stage dev",
    ]);
  });

  it("when no failed child is listed, prints the parent's error only", async () => {
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolves({ events: FAILED_MAP_RUN })
      .on(DescribeMapRunCommand)
      .resolves({ ...describedMapRun(1, 1, 4), status: "FAILED" })
      .on(ListExecutionsCommand)
      .resolves({ executions: [] });
    const { lines, onEvent } = collect();

    const end = await watchExecution({ ...WATCHED, onEvent, sleep: async () => {} });

    expect(end).toEqual({ status: "FAILED", failedState: "ExtractPlaylists", ...THRESHOLD });
    expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(1);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(lines.slice(-2)).toEqual([
      "Execution FAILED in ExtractPlaylists: States.ExceedToleratedFailureThreshold",
      "  The specified tolerated failure threshold was exceeded",
    ]);
  });

  it("goes on, with one note, when the operator may not call DescribeMapRun or ListExecutions", async () => {
    const denied = Object.assign(new Error("not authorized to perform: states:DescribeMapRun"), {
      name: "AccessDeniedException",
    });
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: FAILED_MAP_RUN.slice(0, mapRunStart.length) })
      .resolves({ events: FAILED_MAP_RUN })
      .on(DescribeMapRunCommand)
      .rejects(denied)
      .on(ListExecutionsCommand)
      .rejects(denied);
    const { events, lines, onEvent } = collect();

    const end = await watchExecution({ ...WATCHED, onEvent, sleep: async () => {} });

    expect(end).toEqual({ status: "FAILED", failedState: "ExtractPlaylists", ...THRESHOLD });
    expect(events.filter((e) => e.kind === "note")).toHaveLength(1);
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}\(Not allowed: .*DescribeMapRun/));
    expect(lines.at(-1)).toBe("  The specified tolerated failure threshold was exceeded");
  });
});

describe("Function: redriveExecution", () => {
  const now = new Date("2026-11-23T06:00:00Z");
  const failed = {
    name: "2026-11-22T05-full-00c0ffee",
    status: "FAILED" as const,
    startDate: new Date("2026-11-22T06:00:00Z"),
    stopDate: new Date("2026-11-22T06:05:00Z"),
    redriveStatus: "REDRIVABLE" as const,
    redriveCount: 0,
  };

  it("redrives a failed execution and says how many redrives to wait for", async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves(failed)
      .on(RedriveExecutionCommand)
      .resolves({ redriveDate: now });
    const redriven = await redriveExecution(sfn, REGION, ARN, "dev", now);
    expect(redriven).toEqual({ executionArn: ARN, previousRedrives: 0 });
    expect(sfnMock.commandCalls(RedriveExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: ARN,
    });
  });

  it("explains an execution that ended in a Fail state, and how to run the hour again", async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      ...failed,
      redriveStatus: "NOT_REDRIVABLE",
      redriveStatusReason: "Execution is FAILED with a Fail state",
    });
    const error = (await redriveExecution(sfn, REGION, ARN, "dev", now).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain("It ended in a Fail state");
    expect(error.message).toContain("start --stage dev --snapshot 2026-11-22T05:00:00.000Z");
    expect(sfnMock.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  it("explains the 14-day limit", async () => {
    sfnMock.on(DescribeExecutionCommand).resolves(failed);
    await expect(
      redriveExecution(sfn, REGION, ARN, "dev", new Date("2026-12-07T06:00:00Z")),
    ).rejects.toThrow(
      /more than 14 days ago: Step Functions redrives only within 14 days; start a new run/,
    );
  });

  it("refuses a running or succeeded execution, and translates ExecutionNotRedrivable", async () => {
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ ...failed, status: "RUNNING" });
    await expect(redriveExecution(sfn, REGION, ARN, "dev", now)).rejects.toThrow(
      /is RUNNING: only a stopped execution/,
    );
    sfnMock.on(DescribeExecutionCommand).resolves(failed);
    sfnMock
      .on(RedriveExecutionCommand)
      .rejects(
        new ExecutionNotRedrivable({ message: "Execution cannot be redriven", $metadata: {} }),
      );
    await expect(redriveExecution(sfn, REGION, ARN, "dev", now)).rejects.toThrow(
      /cannot be redriven: Execution cannot be redriven\. start a new run of that hour instead/,
    );
  });
});
