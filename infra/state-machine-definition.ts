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
 * JSON definition. `source` names the template in errors. A value named in `optional` (a
 * resource name the definition may use, such as the raw bucket's) may go unused; any other
 * unused value is a Task the definition lost.
 */
export function renderDefinition(
  template: string,
  values: Readonly<Record<string, string>>,
  source: string,
  optional: readonly string[] = [],
): string {
  const used = placeholdersOf(template);
  const missing = used.filter((name) => !(name in values));
  if (missing.length > 0) {
    throw new ConfigurationError(
      source,
      `has placeholders with no value: ${missing.map((n) => `\${${n}}`).join(", ")}`,
    );
  }
  const unused = Object.keys(values).filter(
    (name) => !used.includes(name) && !optional.includes(name),
  );
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

/** The pipeline definition file's template (placeholders in place) and its name for errors. */
export function readPipelineTemplate(file = PIPELINE_DEFINITION_FILE): {
  template: string;
  source: string;
} {
  return {
    template: readFileSync(file, "utf8"),
    source: path.relative(process.cwd(), file) || file,
  };
}

/** The ItemReader and ResultWriter integrations the state machine role is granted for. */
export const ITEM_READER_RESOURCE = "arn:aws:states:::s3:getObject";
export const RESULT_WRITER_RESOURCE = "arn:aws:states:::s3:putObject";
/** The definition substitution standing for the raw bucket's name (Distributed Map I/O). */
export const RAW_BUCKET_PLACEHOLDER = "RawBucketName";

/** A Map state in Distributed mode, as far as its permissions and its cost depend on it. */
export interface DistributedMap {
  readonly state: string;
  /** The Map Run label, when the definition sets one (otherwise AWS generates it). */
  readonly label: string | undefined;
  readonly executionType: "EXPRESS" | "STANDARD";
  /** States of the child workflow (ItemProcessor.States), by name. */
  readonly childStates: Readonly<Record<string, { Type: string }>>;
}

interface MapStateShape {
  Type?: string;
  Label?: string;
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    States?: Record<string, { Type: string }>;
  };
  ItemReader?: { Resource?: string; ReaderConfig?: { InputType?: string }; Parameters?: unknown };
  ResultWriter?: { Resource?: string; Parameters?: unknown };
}

/**
 * The Distributed Map states of a definition template (placeholders not yet substituted).
 * The role's grants are written for one shape: items read from a JSON object of the raw
 * bucket, results written to the raw bucket. A Distributed Map reading or writing anything
 * else fails the synth here, instead of a Map Run failing in AWS with States.ItemReaderFailed.
 */
export function distributedMapsOf(template: string, source: string): DistributedMap[] {
  const parsed = JSON.parse(template) as { States?: Record<string, MapStateShape> };
  const found: DistributedMap[] = [];
  const visit = (states: Record<string, MapStateShape> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type !== "Map") continue;
      const processor = state.ItemProcessor;
      if (processor?.ProcessorConfig?.Mode !== "DISTRIBUTED") {
        visit(processor?.States as Record<string, MapStateShape> | undefined);
        continue;
      }
      const where = `${source} state ${name}`;
      const executionType = processor.ProcessorConfig.ExecutionType;
      if (executionType !== "EXPRESS" && executionType !== "STANDARD") {
        throw new ConfigurationError(
          where,
          `needs ItemProcessor.ProcessorConfig.ExecutionType EXPRESS or STANDARD, got ${JSON.stringify(executionType)}`,
        );
      }
      const bucketOf = (part: { Parameters?: unknown } | undefined) =>
        (part?.Parameters as { Bucket?: unknown } | undefined)?.Bucket;
      const rawBucket = `\${${RAW_BUCKET_PLACEHOLDER}}`;
      const reader = state.ItemReader;
      if (
        reader?.Resource !== ITEM_READER_RESOURCE ||
        reader.ReaderConfig?.InputType !== "JSON" ||
        bucketOf(reader) !== rawBucket
      ) {
        throw new ConfigurationError(
          where,
          `must read its items with ItemReader ${ITEM_READER_RESOURCE}, ReaderConfig.InputType JSON, from Bucket ${rawBucket} (the state machine role may read only the run's items object there)`,
        );
      }
      const writer = state.ResultWriter;
      if (writer?.Resource !== RESULT_WRITER_RESOURCE || bucketOf(writer) !== rawBucket) {
        throw new ConfigurationError(
          where,
          `must write its results with ResultWriter ${RESULT_WRITER_RESOURCE} to Bucket ${rawBucket} (the state machine role may write only under the Map Run results prefix there)`,
        );
      }
      found.push({
        state: name,
        label: state.Label,
        executionType,
        childStates: processor.States ?? {},
      });
    }
  };
  visit(parsed.States);
  return found;
}

/** Reads the pipeline definition file and renders it with the given placeholder values. */
export function renderPipelineDefinition(
  values: Readonly<Record<string, string>>,
  file = PIPELINE_DEFINITION_FILE,
  optional: readonly string[] = [],
): string {
  const { template, source } = readPipelineTemplate(file);
  return renderDefinition(template, values, source, optional);
}
