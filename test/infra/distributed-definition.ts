// The pipeline definition with ExtractPlaylists as a Distributed Map, in the shape of the issue
// 16 contract (items read from the raw bucket, batched, results written there), for the infra
// tests of either child execution type. When statemachine/pipeline.asl.json already has that
// Map, only its ExecutionType (and Label) are set; otherwise its inline Map is rewritten, so
// every other state stays the file's own.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PIPELINE_DEFINITION_FILE } from "../../statemachine/pipeline";

export type ChildExecutionType = "EXPRESS" | "STANDARD";

interface MapState {
  Type: "Map";
  ItemProcessor: { ProcessorConfig: Record<string, string>; States: Record<string, unknown> };
  [field: string]: unknown;
}

/** The definition as a template (placeholders in place). */
export function distributedTemplate(
  executionType: ChildExecutionType,
  options: { label?: string } = {},
): string {
  const definition = JSON.parse(readFileSync(PIPELINE_DEFINITION_FILE, "utf8")) as {
    States: Record<string, MapState>;
  };
  const map = definition.States.ExtractPlaylists!;
  if (map.ItemProcessor.ProcessorConfig.Mode !== "DISTRIBUTED") {
    for (const field of ["ItemsPath", "MaxConcurrency", "ItemSelector"]) delete map[field];
    Object.assign(map, {
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        ReaderConfig: { InputType: "JSON" },
        Parameters: { Bucket: "${RawBucketName}", "Key.$": "$.run.playlistItems.key" },
      },
      ItemBatcher: {
        MaxItemsPerBatchPath: "$.run.extractBatchSize",
        BatchInput: { "run.$": "$.run.snapshot" },
      },
      MaxConcurrencyPath: "$.run.extractConcurrency",
      ToleratedFailurePercentage: 0,
      ResultWriter: {
        Resource: "arn:aws:states:::s3:putObject",
        Parameters: { Bucket: "${RawBucketName}", "Prefix.$": "$.run.mapRunsPrefix" },
      },
      ResultSelector: { "results.$": "$.ResultWriterDetails" },
    });
  }
  map.ItemProcessor.ProcessorConfig = { Mode: "DISTRIBUTED", ExecutionType: executionType };
  if (options.label) map.Label = options.label;
  return JSON.stringify(definition, null, 2);
}

/** Writes the distributed definition into `dir` and returns the file's path. */
export function distributedDefinitionFile(
  dir: string,
  executionType: ChildExecutionType,
  options: { label?: string } = {},
): string {
  const file = path.join(dir, `pipeline-${executionType.toLowerCase()}.asl.json`);
  writeFileSync(file, distributedTemplate(executionType, options));
  return file;
}
