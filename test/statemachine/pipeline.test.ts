// The pipeline's contract (statemachine/pipeline.ts) against the definition and the code: it
// lists exactly the Task states that call each step, each step has a function folder with an
// AWS entry point, and no source under functions/ imports from outside it.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  PIPELINE_DEFINITION_FILE,
  PIPELINE_STEP_NAMES,
  PIPELINE_STEPS,
  stepCalledBy,
  taskStates,
} from "../../statemachine/pipeline";

const definition = JSON.parse(readFileSync(PIPELINE_DEFINITION_FILE, "utf8")) as {
  States: Record<string, unknown>;
};

describe("statemachine/pipeline.ts, the pipeline's contract", () => {
  it("lists exactly the Task states that call each step's function", () => {
    const tasks = taskStates(definition.States as never);
    for (const task of tasks) {
      const step = stepCalledBy(task.functionRef);
      expect(step, task.name).toBeDefined();
      expect(PIPELINE_STEPS[step!].taskStates, task.name).toContain(task.name);
    }
    const listed = PIPELINE_STEP_NAMES.flatMap((step) => PIPELINE_STEPS[step].taskStates);
    expect([...listed].sort()).toEqual(tasks.map((task) => task.name).sort());
  });

  it("names a function folder with an AWS entry point for each step", () => {
    const root = path.join(__dirname, "..", "..", "functions");
    const entryPoints = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) => readdirSync(path.join(root, name)).includes("index.ts"));
    expect([...PIPELINE_STEP_NAMES].sort()).toEqual(entryPoints.sort());
  });

  it("stays out of the Lambda bundles: no source under functions/ imports from outside it", () => {
    const root = path.join(__dirname, "..", "..", "functions");
    const sources = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) =>
      file.endsWith(".ts"),
    );
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const text = readFileSync(path.join(root, file), "utf8");
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?"(\.[^"]*)"/g)) {
        const target = path.relative(root, path.resolve(root, path.dirname(file), specifier!));
        expect(target.startsWith(".."), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });
});
