// Specification of the definition rendering: statemachine/pipeline.asl.json placeholders
// are exactly the six functions' ARNs, and any mismatch fails the synth.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  placeholdersOf,
  RAW_BUCKET_PLACEHOLDER,
  renderDefinition,
  renderPipelineDefinition,
} from "../../infra/state-machine-definition";
import {
  PIPELINE_DEFINITION_FILE,
  PIPELINE_STEP_NAMES,
  PIPELINE_STEPS,
} from "../../statemachine/pipeline";

const arnOf = (placeholder: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:${placeholder.replace(/FunctionArn$/, "")}`;
const placeholders = PIPELINE_STEP_NAMES.map((step) => PIPELINE_STEPS[step].placeholder);
const allArns = Object.fromEntries(
  placeholders.map((placeholder) => [placeholder, arnOf(placeholder)]),
);

describe("renderPipelineDefinition", () => {
  it("finds exactly one placeholder per pipeline function in the definition file (and at most the raw bucket's name besides)", () => {
    const template = readFileSync(PIPELINE_DEFINITION_FILE, "utf8");
    expect(placeholdersOf(template).filter((name) => name !== RAW_BUCKET_PLACEHOLDER)).toEqual(
      [...placeholders].sort(),
    );
  });

  it("may leave the raw bucket's name unused, but not a function's ARN", () => {
    const template =
      '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${AFunctionArn}","End":true}}}';
    expect(
      JSON.parse(
        renderDefinition(template, { AFunctionArn: "arn:a", RawBucketName: "raw" }, "t.json", [
          RAW_BUCKET_PLACEHOLDER,
        ]),
      ).States.A.Resource,
    ).toBe("arn:a");
    expect(() =>
      renderDefinition(template, { AFunctionArn: "arn:a", BFunctionArn: "arn:b" }, "t.json", [
        RAW_BUCKET_PLACEHOLDER,
      ]),
    ).toThrow(/does not use the placeholders \$\{BFunctionArn\}/);
  });

  it("puts each function's ARN in every Task that calls it and leaves no placeholder", () => {
    const definition = renderPipelineDefinition(
      { ...allArns, [RAW_BUCKET_PLACEHOLDER]: "spotify-lake-test-raw" },
      undefined,
      [RAW_BUCKET_PLACEHOLDER],
    );
    expect(definition).not.toMatch(/\$\{/);
    const parsed = JSON.parse(definition);
    expect(parsed.States.PrepareRun.Parameters.FunctionName).toBe(arnOf("PrepareRunFunctionArn"));
    expect(parsed.States.StartCrawler.Parameters.FunctionName).toBe(arnOf("CrawlLakeFunctionArn"));
    expect(parsed.States.GetCrawlerStatus.Parameters.FunctionName).toBe(
      arnOf("CrawlLakeFunctionArn"),
    );
    const extractTask = PIPELINE_STEPS["extract-playlist"].taskStates[0];
    expect(
      parsed.States.ExtractPlaylists.ItemProcessor.States[extractTask].Parameters.FunctionName,
    ).toBe(arnOf("ExtractPlaylistFunctionArn"));
  });
});

describe("renderDefinition", () => {
  const template =
    '{"StartAt":"A","States":{"A":{"Type":"Task","Parameters":{"FunctionName":"${AFunctionArn}","x.$":"$$.Execution.Id"},"End":true}}}';

  it("keeps JSONPath dollars intact while substituting", () => {
    const definition = JSON.parse(renderDefinition(template, { AFunctionArn: "arn:a" }, "t.json"));
    expect(definition.States.A.Parameters).toEqual({
      FunctionName: "arn:a",
      "x.$": "$$.Execution.Id",
    });
  });

  it("fails naming a placeholder that has no value", () => {
    expect(() => renderDefinition(template, {}, "t.json")).toThrow(
      /t\.json has placeholders with no value: \$\{AFunctionArn\}/,
    );
  });

  it("fails naming a value whose placeholder is gone from the definition", () => {
    expect(() =>
      renderDefinition(template, { AFunctionArn: "arn:a", BFunctionArn: "arn:b" }, "t.json"),
    ).toThrow(/does not use the placeholders \$\{BFunctionArn\}/);
  });
});
