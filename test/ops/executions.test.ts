// The Step Functions calls of start and runs (ops/aws/executions.ts): the requests they send,
// how they page through ListExecutions, and the errors an operator meets, in words that say
// what to do.

import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  consoleLink,
  describeExecution,
  executionArnOf,
  executionNameOf,
  listExecutions,
  parseExecutionName,
  recentRuns,
  startExecution,
} from "../../ops/aws/executions";
import { explainAwsError } from "../../ops/errors";

const REGION = "eu-west-1";
const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:spotify-lake-dev-pipeline";
const execArn = (name: string) =>
  `arn:aws:states:eu-west-1:123456789012:execution:spotify-lake-dev-pipeline:${name}`;

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: REGION });
beforeEach(() => sfnMock.reset());

describe("Function: executionNameOf", () => {
  it("holds the snapshot hour and the mode, and reads back from the name", () => {
    const name = executionNameOf("2026-11-22T05:30:00+01:00", "reprocess", "00c0ffee");
    expect(name).toBe("2026-11-22T04-reprocess-00c0ffee");
    expect(parseExecutionName(name)).toEqual({
      snapshot: "2026-11-22T04:00:00.000Z",
      mode: "reprocess",
    });
    expect(parseExecutionName("0f9e3c4a-scheduler-uuid")).toBeUndefined();
  });

  it("is unique for two starts of the same hour", () => {
    expect(executionNameOf("2026-11-22T05:00:00Z", "full")).not.toBe(
      executionNameOf("2026-11-22T05:00:00Z", "full"),
    );
  });
});

describe("Function: startExecution", () => {
  it("sends the state machine, a readable name and the input the pipeline reads", async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: execArn(input.name),
      startDate: new Date("2026-11-22T06:00:01Z"),
    }));

    // Act
    const started = await startExecution(sfn, REGION, MACHINE, {
      snapshot: "2026-11-22T05:00:00Z",
      playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
      mode: "reprocess",
    });

    // Assess
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.stateMachineArn).toBe(MACHINE);
    expect(sent.name).toMatch(/^2026-11-22T05-reprocess-[0-9a-f]{8}$/);
    expect(JSON.parse(sent.input!)).toEqual({
      snapshot: "2026-11-22T05:00:00.000Z",
      playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
      mode: "reprocess",
    });
    expect(started.executionArn).toBe(execArn(sent.name!));
    expect(consoleLink(started.executionArn)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${started.executionArn}`,
    );
  });

  it("explains a state machine that does not exist as a stack not deployed in this region", async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(
        new StateMachineDoesNotExist({ message: "State Machine Does Not Exist", $metadata: {} }),
      );
    await expect(startExecution(sfn, REGION, MACHINE, {})).rejects.toThrow(
      `state machine ${MACHINE} was not found in region eu-west-1. Is the stack deployed in this region (--stage, --region)?`,
    );
  });

  it("refuses a snapshot that is not an ISO hour before any call", async () => {
    await expect(startExecution(sfn, REGION, MACHINE, { snapshot: "yesterday" })).rejects.toThrow(
      /snapshot must be an ISO 8601 time/,
    );
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe("Function: executionArnOf", () => {
  it("builds the ARN of a name under the stack's state machine, and keeps an ARN", () => {
    expect(executionArnOf("2026-11-22T05-full-00c0ffee", MACHINE, REGION)).toBe(
      execArn("2026-11-22T05-full-00c0ffee"),
    );
    expect(executionArnOf(execArn("x"), MACHINE, REGION)).toBe(execArn("x"));
  });

  it("names the region to use when the ARN is in another one", () => {
    expect(() =>
      executionArnOf(execArn("x").replace("eu-west-1", "us-east-1"), MACHINE, REGION),
    ).toThrow(
      "is in region us-east-1, but this command talks to eu-west-1: pass --region us-east-1",
    );
  });
});

describe("Function: listExecutions", () => {
  it("follows nextToken page by page and stops at the first execution older than --since", async () => {
    // Prepare: newest first, as ListExecutions returns them.
    const item = (name: string, hour: number) => ({
      name,
      executionArn: execArn(name),
      stateMachineArn: MACHINE,
      status: "SUCCEEDED" as const,
      startDate: new Date(Date.UTC(2026, 10, 22, hour)),
    });
    sfnMock
      .on(ListExecutionsCommand, {
        stateMachineArn: MACHINE,
        statusFilter: "SUCCEEDED",
        nextToken: undefined,
      })
      .resolves({ executions: [item("c", 9), item("b", 8)], nextToken: "page-2" })
      .on(ListExecutionsCommand, { nextToken: "page-2" })
      .resolves({ executions: [item("a", 7), item("old", 3)], nextToken: "page-3" });

    // Act
    const found = await listExecutions(sfn, REGION, MACHINE, {
      status: "SUCCEEDED",
      since: new Date("2026-11-22T05:00:00Z"),
    });

    // Assess: page 3 is never asked for.
    expect(found.map((e) => e.name)).toEqual(["c", "b", "a"]);
    const requests = sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input);
    expect(requests).toEqual([
      { stateMachineArn: MACHINE, statusFilter: "SUCCEEDED", maxResults: 1000 },
      {
        stateMachineArn: MACHINE,
        statusFilter: "SUCCEEDED",
        maxResults: 1000,
        nextToken: "page-2",
      },
    ]);
  });

  it("asks for no more than --limit", async () => {
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: ["a", "b", "c"].map((name) => ({
        name,
        executionArn: execArn(name),
        stateMachineArn: MACHINE,
        status: "RUNNING" as const,
        startDate: new Date(),
      })),
      nextToken: "more",
    });
    const found = await listExecutions(sfn, REGION, MACHINE, { limit: 2 });
    expect(found.map((e) => e.name)).toEqual(["a", "b"]);
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0]!.args[0].input.maxResults).toBe(2);
    expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(1);
  });
});

describe("Function: recentRuns", () => {
  it("reads snapshot, duration and rows from each execution, the scheduler's (input {}) included", async () => {
    // Prepare
    const started = new Date("2026-11-22T06:00:00Z");
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: "2026-11-22T05-full-00c0ffee",
          executionArn: execArn("2026-11-22T05-full-00c0ffee"),
          stateMachineArn: MACHINE,
          status: "SUCCEEDED",
          startDate: started,
          stopDate: new Date(started.getTime() + 95_000),
        },
        {
          name: "b1946ac9-scheduled",
          executionArn: execArn("b1946ac9-scheduled"),
          stateMachineArn: MACHINE,
          status: "FAILED",
          startDate: started,
          stopDate: new Date(started.getTime() + 5_000),
        },
      ],
    });
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: execArn("2026-11-22T05-full-00c0ffee") })
      .resolves({
        input: '{"snapshot":"2026-11-22T05:00:00.000Z"}',
        output: JSON.stringify({
          run: { snapshot: "2026-11-22T05:00:00.000Z", mode: "full" },
          transform: {
            rows: { songs_data: 771, albums_data: 200, artists_data: 150, playlists_data: 32 },
          },
        }),
        status: "SUCCEEDED",
        startDate: started,
      })
      .on(DescribeExecutionCommand, { executionArn: execArn("b1946ac9-scheduled") })
      .resolves({ input: "{}", status: "FAILED", startDate: started, redriveCount: 1 });

    // Act
    const runs = await recentRuns(sfn, REGION, MACHINE, {});

    // Assess
    expect(runs[0]).toMatchObject({
      snapshot: "2026-11-22T05:00:00.000Z",
      mode: "full",
      status: "SUCCEEDED",
      durationMs: 95_000,
      rows: 1153,
    });
    expect(runs[1]).toMatchObject({ status: "FAILED", durationMs: 5_000, redriveCount: 1 });
    expect(runs[1]!.snapshot).toBeUndefined();
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0]!.args[0].input.maxResults).toBe(20);
  });
});

describe("Function: explainAwsError", () => {
  const context = { region: REGION, subject: "execution x", notFoundHint: "List them with runs." };

  it("says an execution was not found, where, and what to do", async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(
        new ExecutionDoesNotExist({ message: "Execution Does Not Exist: 'x'", $metadata: {} }),
      );
    await expect(describeExecution(sfn, REGION, execArn("x"))).rejects.toThrow(
      `execution ${execArn("x")} was not found in region eu-west-1. List the recent ones with \`runs --stage <stage>\`.`,
    );
  });

  it("tells how to get credentials when there are none", () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(explainAwsError(error, context).message).toMatch(
      /^No AWS credentials found: set AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });

  it("tells invalid or expired credentials apart, and a region that cannot be reached", () => {
    const invalid = Object.assign(
      new Error("The security token included in the request is invalid."),
      {
        name: "UnrecognizedClientException",
      },
    );
    expect(explainAwsError(invalid, context).message).toContain("invalid or expired");
    const offline = Object.assign(
      new Error("getaddrinfo ENOTFOUND states.eu-wset-1.amazonaws.com"),
      {
        code: "ENOTFOUND",
      },
    );
    expect(explainAwsError(offline, context).message).toContain(
      "Cannot reach AWS in region eu-west-1",
    );
  });

  it("names the permission the caller lacks, without claiming the stack is broken", () => {
    const denied = Object.assign(
      new Error(
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: states:StartExecution",
      ),
      { name: "AccessDeniedException" },
    );
    expect(explainAwsError(denied, context).message).toMatch(
      /^Not allowed: .*states:StartExecution.*your own role/,
    );
  });
});
