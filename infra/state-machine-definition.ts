// Turns statemachine/pipeline.asl.json into the deployed definition: every `${Name}`
// placeholder is replaced by the value given for it (a Lambda ARN token), and a placeholder
// without a value, or a value without a placeholder, fails the synth instead of deploying
// a state machine that calls a function named "${...}".

import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigurationError } from "../functions/commons/errors";
import { PIPELINE_DEFINITION_FILE } from "../statemachine/pipeline";

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Placeholder names in a definition template, sorted and unique. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))].sort();
}

/**
 * Substitutes every placeholder of `template` with `values[name]` and returns the compact
 * JSON definition. `source` names the template in errors.
 */
export function renderDefinition(
  template: string,
  values: Readonly<Record<string, string>>,
  source: string,
): string {
  const used = placeholdersOf(template);
  const missing = used.filter((name) => !(name in values));
  if (missing.length > 0) {
    throw new ConfigurationError(
      source,
      `has placeholders with no value: ${missing.map((n) => `\${${n}}`).join(", ")}`,
    );
  }
  const unused = Object.keys(values).filter((name) => !used.includes(name));
  if (unused.length > 0) {
    throw new ConfigurationError(
      source,
      `does not use the placeholders ${unused.map((n) => `\${${n}}`).join(", ")}; is a Task missing?`,
    );
  }
  const substituted = template.replace(PLACEHOLDER, (_, name: string) => values[name]!);
  let definition: unknown;
  try {
    definition = JSON.parse(substituted);
  } catch (error) {
    throw new ConfigurationError(source, `is not valid JSON: ${(error as Error).message}`);
  }
  return JSON.stringify(definition);
}

/** Reads the pipeline definition file and renders it with the given placeholder values. */
export function renderPipelineDefinition(
  values: Readonly<Record<string, string>>,
  file = PIPELINE_DEFINITION_FILE,
): string {
  const source = path.relative(process.cwd(), file) || file;
  return renderDefinition(readFileSync(file, "utf8"), values, source);
}
