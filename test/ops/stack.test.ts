// Which stack a command talks to (ops/aws/stack.ts): the stage's region, the outputs from a
// file in either shape (terraform output -json, cdktf's outputs file), explicit values first,
// and what it says when the stack is not deployed or lacks an output.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stackNameOf as infraStackName } from "../../infra/stack";
import { parseOutputs, resolveStack, stackNameOf } from "../../ops/aws/stack";

const ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:spotify-lake-dev-pipeline";
const file = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), "ops-outputs-")), "outputs.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe("Function: resolveStack", () => {
  it("names stacks as infra does", () => {
    expect(stackNameOf("prod")).toBe(infraStackName("prod"));
  });

  it("reads terraform's and cdktf's output files alike, explicit values first, in the stage's region", () => {
    const terraform = file({ state_machine_arn: { value: ARN, type: "string", sensitive: false } });
    const cdktf = file({
      "spotify-lake-dev": { state_machine_arn: ARN, athena_workgroup_name: "wg" },
    });
    expect(resolveStack({ stage: "dev", outputsFile: terraform }).output("stateMachineArn")).toBe(
      ARN,
    );
    const stack = resolveStack({
      stage: "dev",
      outputsFile: cdktf,
      overrides: { workgroup: "mine" },
    });
    expect(stack.output("stateMachineArn")).toBe(ARN);
    expect(stack.output("workgroup")).toBe("mine");
    expect(stack.region).toBe("eu-west-1");
    expect(resolveStack({ stage: "dev", region: "us-east-1", outputsFile: cdktf }).region).toBe(
      "us-east-1",
    );
  });

  it("says the stack is not deployed, or lacks an output, naming the option that gives it", () => {
    expect(() => resolveStack({ stage: "dev", outputsFile: file({}) }).output("secretArn")).toThrow(
      "stack spotify-lake-dev has no outputs: it is not deployed (or its state is elsewhere). Deploy it, or pass --secret-id.",
    );
    expect(() =>
      resolveStack({
        stage: "dev",
        outputsFile: file({ state_machine_arn: { value: ARN } }),
      }).output("database"),
    ).toThrow(
      "stack spotify-lake-dev has no output glue_database_name (deployed from an older version?): deploy again, or pass --database.",
    );
    expect(() =>
      resolveStack({ stage: "dev", outputsFile: "/nonexistent/outputs.json" }).output("database"),
    ).toThrow("--outputs: no such file /nonexistent/outputs.json");
  });

  it("refuses a stage without a stage file", () => {
    expect(() => resolveStack({ stage: "staging" })).toThrow(
      /stage "staging" has no file infra\/stages\/staging.json/,
    );
  });

  it("flattens only string outputs", () => {
    expect(parseOutputs({ a: { value: "x" }, b: { value: ["list"] }, c: "y" }, "s")).toEqual({
      a: "x",
      c: "y",
    });
  });
});
