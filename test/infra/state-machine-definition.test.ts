// Specification of the definition rendering: statemachine/pipeline.asl.json placeholders
// are exactly the six functions' ARNs, and any mismatch fails the synth.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PIPELINE_FUNCTIONS } from "../../infra/constructs/functions";
import {
  PIPELINE_DEFINITION_FILE,
  placeholdersOf,
  renderDefinition,
  renderPipelineDefinition,
} from "../../infra/state-machine-definition";

const arnOf = (placeholder: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:${placeholder.replace(/FunctionArn$/, "")}`;
const allArns = Object.fromEntries(
  PIPELINE_FUNCTIONS.map((spec) => [spec.placeholder, arnOf(spec.placeholder)]),
);

describe("renderPipelineDefinition", () => {
  it("finds exactly one placeholder per pipeline function in the definition file", () => {
    const template = readFileSync(PIPELINE_DEFINITION_FILE, "utf8");
    expect(placeholdersOf(template)).toEqual(
      PIPELINE_FUNCTIONS.map((spec) => spec.placeholder).sort(),
    );
  });

  it("puts each function's ARN in every Task that calls it and leaves no placeholder", () => {
    const definition = renderPipelineDefinition(allArns);
    expect(definition).not.toMatch(/\$\{/);
    const parsed = JSON.parse(definition);
    expect(parsed.States.PrepareRun.Parameters.FunctionName).toBe(arnOf("PrepareRunFunctionArn"));
    expect(parsed.States.StartCrawler.Parameters.FunctionName).toBe(arnOf("CrawlLakeFunctionArn"));
    expect(parsed.States.GetCrawlerStatus.Parameters.FunctionName).toBe(
      arnOf("CrawlLakeFunctionArn"),
    );
    expect(
      parsed.States.ExtractPlaylists.ItemProcessor.States.ExtractPlaylist.Parameters.FunctionName,
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
