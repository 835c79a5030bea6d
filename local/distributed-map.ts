// The Distributed Map, run by the local runtime itself: aws-local-stepfunctions 3.0.0 accepts
// `ProcessorConfig.Mode: DISTRIBUTED` but runs it as an inline Map over ItemsPath, without
// ItemReader, ItemBatcher or ResultWriter. So before interpreting, each DISTRIBUTED Map state
// of the definition is swapped for a Task state of the same name (same InputPath,
// ResultSelector, ResultPath, Next, Retry and Catch) whose local handler does what Step
// Functions does (docs: state-map-distributed.html, input-output-itemreader.html,
// input-output-itembatcher.html, input-output-resultwriter.html, maprun-fail-threshold):
//
// - ItemReader: reads the items object (`s3:getObject`, InputType JSON) from the local store
//   the bucket placeholder stands for; a missing object or one that is not a JSON array
//   fails the state with States.ItemReaderFailed.
// - ItemBatcher: MaxItemsPerBatch(Path) and MaxInputBytesPerBatch(Path) (default 256 KiB);
//   each child's input is `{ Items: [...], BatchInput: {...} }`.
// - One child execution per batch of the ItemProcessor's own definition, run by `runChild`
//   (the caller gives it its own quota meter: a child's history and payloads are its own),
//   at most MaxConcurrency(Path) at once (0: as many as there are batches).
// - ToleratedFailurePercentage(Path) / ToleratedFailureCount(Path): over the threshold no new
//   child starts and the state fails with States.ExceedToleratedFailureThreshold.
// - ResultWriter (`s3:putObject`): `<Prefix>/<map run id>/manifest.json` and the children's
//   records in SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json, with the fields AWS writes;
//   the state's output is `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`.
// JSONPath fields of these configurations are evaluated by the interpreter itself (a one-
// state Pass machine), so intrinsic functions such as States.Format work as in AWS.

import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import type { ObjectStore } from "../functions/commons/ports";

type States = StateMachineDefinition["States"];
type AnyState = States[string];

/** The fields of a Distributed Map state the local runtime reads (the ASL names). */
export interface DistributedMapDefinition {
  Type: "Map";
  ItemProcessor: Omit<StateMachineDefinition, "Version" | "TimeoutSeconds"> & {
    ProcessorConfig: { Mode: "DISTRIBUTED"; ExecutionType?: "STANDARD" | "EXPRESS" };
  };
  ItemReader?: {
    Resource: string;
    ReaderConfig?: { InputType?: string; MaxItems?: number };
    Parameters: Record<string, unknown>;
  };
  ItemsPath?: string;
  ItemSelector?: unknown;
  ItemBatcher?: {
    MaxItemsPerBatch?: number;
    MaxItemsPerBatchPath?: string;
    MaxInputBytesPerBatch?: number;
    MaxInputBytesPerBatchPath?: string;
    BatchInput?: Record<string, unknown>;
  };
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  ResultWriter?: { Resource: string; Parameters: Record<string, unknown> };
  [field: string]: unknown;
}

/** Kept from the Map state on the Task that stands for it. */
const CARRIED_FIELDS = [
  "Comment",
  "InputPath",
  "OutputPath",
  "ResultSelector",
  "ResultPath",
  "Next",
  "End",
  "Retry",
  "Catch",
] as const;

export const LOCAL_DISTRIBUTED_MAP_RESOURCE = "arn:aws:states:::local:distributed-map";
/** The longest a Node timer holds (2^31 - 1 ms): in effect no timeout. */
const MAP_TASK_TIMEOUT_SECONDS = 2_147_483;

export const isDistributedMap = (state: AnyState): boolean =>
  state.Type === "Map" &&
  (state as { ItemProcessor?: { ProcessorConfig?: { Mode?: string } } }).ItemProcessor
    ?.ProcessorConfig?.Mode === "DISTRIBUTED";

/**
 * The definition with each top-level DISTRIBUTED Map swapped for a Task of the same name,
 * and the Map states themselves, by name.
 */
export function withLocalDistributedMaps(definition: StateMachineDefinition): {
  definition: StateMachineDefinition;
  maps: Map<string, DistributedMapDefinition>;
} {
  const maps = new Map<string, DistributedMapDefinition>();
  const states: States = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (!isDistributedMap(state)) {
      states[name] = state;
      continue;
    }
    const map = state as unknown as DistributedMapDefinition;
    if (map.ItemSelector !== undefined || map.ItemsPath !== undefined) {
      throw new Error(
        `Map ${name}: the local runtime's Distributed Map reads its items with ItemReader ` +
          "and does not support ItemsPath or ItemSelector",
      );
    }
    maps.set(name, map);
    const task: Record<string, unknown> = {
      Type: "Task",
      Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
      // A Map has no timeout of its own (the execution's bounds it); the interpreter would
      // give a Task 60 s.
      TimeoutSeconds: MAP_TASK_TIMEOUT_SECONDS,
    };
    for (const field of CARRIED_FIELDS) if (field in map) task[field] = map[field];
    states[name] = task as unknown as AnyState;
  }
  return { definition: { ...definition, States: states }, maps };
}

/** A Distributed Map state failing as Step Functions fails it (never retried here). */
export class DistributedMapError extends Error {
  constructor(
    name: string,
    message: string,
    /** The first child that failed, as the Map Run's FAILED results record it. */
    readonly failedChild?: { name: string; executionArn: string; error: string; cause: string },
  ) {
    super(message);
    this.name = name;
  }
}

export interface ChildExecution {
  index: number;
  name: string;
  executionArn: string;
  input: { Items: unknown[]; BatchInput?: unknown };
}

export interface ChildOutcome {
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface DistributedMapRun {
  /** The state's input (after InputPath). */
  input: unknown;
  /** `$$` as the parent's states see it (Execution, StateMachine). */
  context: Record<string, unknown>;
  /** The local store each bucket placeholder (e.g. "${RawBucketName}") stands for. */
  buckets: Record<string, ObjectStore>;
  stateMachineName: string;
  /** Runs one child execution of the ItemProcessor definition. */
  runChild: (definition: StateMachineDefinition, child: ChildExecution) => Promise<ChildOutcome>;
  /** True once the parent must stop (a quota broke): no further child starts. */
  stopped?: () => boolean;
}

export interface DistributedMapOutput {
  MapRunArn: string;
  ResultWriterDetails?: { Bucket: string; Key: string };
}

const DEFAULT_MAX_INPUT_BYTES_PER_BATCH = 262_144;

/** Runs one Distributed Map state; resolves to its output or throws its error. */
export async function runDistributedMap(
  stateName: string,
  map: DistributedMapDefinition,
  run: DistributedMapRun,
): Promise<DistributedMapOutput> {
  const settings = await evaluate(
    {
      reader: map.ItemReader?.Parameters ?? {},
      writer: map.ResultWriter?.Parameters ?? {},
      batchInput: map.ItemBatcher?.BatchInput ?? null,
      maxItems: pathOrValue(map.ItemBatcher, "MaxItemsPerBatch"),
      maxBytes: pathOrValue(map.ItemBatcher, "MaxInputBytesPerBatch"),
      concurrency: pathOrValue(map, "MaxConcurrency"),
      toleratedPercentage: pathOrValue(map, "ToleratedFailurePercentage"),
      toleratedCount: pathOrValue(map, "ToleratedFailureCount"),
    },
    run.input,
    run.context,
  );
  const items = await readItems(stateName, map, settings.reader as ObjectLocation, run.buckets);
  const batches = batchItems(items, {
    maxItems: positiveOr(settings.maxItems, items.length === 0 ? 1 : items.length),
    maxBytes: positiveOr(settings.maxBytes, DEFAULT_MAX_INPUT_BYTES_PER_BATCH),
    withBatcher: map.ItemBatcher !== undefined,
  });

  const mapRunId = randomUUID();
  const label = `${run.stateMachineName}/${stateName}`;
  const mapRunArn = `arn:aws:states:local:000000000000:mapRun:${label}:${mapRunId}`;
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor;
  const childDefinition = processor as StateMachineDefinition;
  const executionType = map.ItemProcessor.ProcessorConfig.ExecutionType ?? "STANDARD";

  const concurrency = positiveOr(settings.concurrency, batches.length || 1);
  const tolerance = {
    ...(typeof settings.toleratedPercentage === "number"
      ? { percentage: settings.toleratedPercentage }
      : {}),
    ...(typeof settings.toleratedCount === "number" ? { count: settings.toleratedCount } : {}),
  };
  const records: ChildRecord[] = new Array<ChildRecord>(batches.length);
  let next = 0;
  let failures = 0;
  let failedItems = 0;
  let exceeded = false;
  const lane = async () => {
    while (next < batches.length && !exceeded && !run.stopped?.()) {
      const index = next++;
      const input =
        map.ItemBatcher !== undefined
          ? {
              Items: batches[index]!,
              ...(settings.batchInput !== null ? { BatchInput: settings.batchInput } : {}),
            }
          : batches[index]![0];
      const name = `${mapRunId.slice(0, 8)}-${String(index).padStart(5, "0")}`;
      const executionArn =
        executionType === "EXPRESS"
          ? `arn:aws:states:local:000000000000:express:${label}:${name}:${randomUUID()}`
          : `arn:aws:states:local:000000000000:execution:${label}:${name}`;
      const startDate = new Date().toISOString();
      const outcome = await run.runChild(childDefinition, {
        index,
        name,
        executionArn,
        input: input as ChildExecution["input"],
      });
      records[index] = childRecord(run.stateMachineName, executionArn, name, input, outcome, {
        startDate,
        executionType,
      });
      if (outcome.status === "FAILED") {
        failures += 1;
        failedItems += batches[index]!.length;
        if (overThreshold(failedItems, items.length, tolerance)) exceeded = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));

  const output: DistributedMapOutput = { MapRunArn: mapRunArn };
  if (map.ResultWriter) {
    const pending = batches.flatMap((batch, index) =>
      records[index] ? [] : [pendingRecord(batch, map.ItemBatcher !== undefined, settings)],
    );
    output.ResultWriterDetails = await writeResults(
      stateName,
      map,
      settings.writer as ObjectLocation,
      run.buckets,
      { mapRunArn, mapRunId, records: records.filter(Boolean), pending },
    );
  }
  if (exceeded || (run.stopped?.() && records.filter(Boolean).length < batches.length)) {
    const first = records.find((r) => r?.Status === "FAILED");
    throw new DistributedMapError(
      "States.ExceedToleratedFailureThreshold",
      `The specified tolerated failure threshold was exceeded: ${failures} of ${batches.length} ` +
        `child executions of ${stateName} failed (Map Run ${mapRunArn})`,
      first
        ? {
            name: first.Name,
            executionArn: first.ExecutionArn,
            error: first.Error ?? "",
            cause: first.Cause ?? "",
          }
        : undefined,
    );
  }
  return output;
}

type ObjectLocation = { Bucket?: unknown; Key?: unknown; Prefix?: unknown };

async function readItems(
  stateName: string,
  map: DistributedMapDefinition,
  location: ObjectLocation,
  buckets: Record<string, ObjectStore>,
): Promise<unknown[]> {
  const reader = map.ItemReader;
  if (!reader) throw new Error(`Map ${stateName}: the local Distributed Map needs an ItemReader`);
  if (
    reader.Resource !== "arn:aws:states:::s3:getObject" ||
    reader.ReaderConfig?.InputType !== "JSON"
  ) {
    throw new Error(
      `Map ${stateName}: the local ItemReader reads JSON objects (s3:getObject, InputType JSON) only`,
    );
  }
  const store = storeFor(stateName, location.Bucket, buckets);
  const key = String(location.Key);
  const failed = (why: string) =>
    new DistributedMapError(
      "States.ItemReaderFailed",
      `Attempting to read the items of ${stateName} from s3://${String(location.Bucket)}/${key} failed: ${why}`,
    );
  const body = await store.get(key);
  if (body === undefined) throw failed("the object does not exist (NoSuchKey)");
  let items: unknown;
  try {
    items = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw failed("the object is not valid JSON");
  }
  if (!Array.isArray(items)) throw failed("the object's JSON is not an array");
  const max = reader.ReaderConfig?.MaxItems;
  return max ? items.slice(0, max) : items;
}

/** Batches of at most `maxItems` items and `maxBytes` of JSON each (one item per batch without a batcher). */
export function batchItems(
  items: readonly unknown[],
  limits: { maxItems: number; maxBytes: number; withBatcher: boolean },
): unknown[][] {
  if (!limits.withBatcher) return items.map((item) => [item]);
  const batches: unknown[][] = [];
  let current: unknown[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item), "utf8") + 1;
    if (
      current.length > 0 &&
      (current.length >= limits.maxItems || bytes + size > limits.maxBytes)
    ) {
      batches.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Over the tolerated failures: counted in items (a failed child fails its whole batch), over
 * either threshold given; with neither, any failure is one too many.
 */
export function overThreshold(
  failedItems: number,
  totalItems: number,
  tolerance: { percentage?: number; count?: number },
): boolean {
  const { percentage, count } = tolerance;
  if (percentage === undefined && count === undefined) return failedItems > 0;
  return (
    (count !== undefined && failedItems > count) ||
    (percentage !== undefined && (failedItems / totalItems) * 100 > percentage)
  );
}

interface ChildRecord {
  ExecutionArn: string;
  Input: string;
  InputDetails: { Included: true };
  Name: string;
  Output?: string;
  OutputDetails?: { Included: true };
  Error?: string;
  Cause?: string;
  RedriveCount: number;
  RedriveStatus: string;
  RedriveStatusReason?: string;
  StartDate: string;
  StateMachineArn: string;
  Status: "SUCCEEDED" | "FAILED";
  StopDate: string;
}

function childRecord(
  stateMachineName: string,
  executionArn: string,
  name: string,
  input: unknown,
  outcome: ChildOutcome,
  times: { startDate: string; executionType: string },
): ChildRecord {
  const succeeded = outcome.status === "SUCCEEDED";
  return {
    ExecutionArn: executionArn,
    Input: JSON.stringify(input),
    InputDetails: { Included: true },
    Name: name,
    ...(succeeded
      ? { Output: JSON.stringify(outcome.output ?? null), OutputDetails: { Included: true } }
      : { Error: outcome.error ?? "States.Runtime", Cause: outcome.cause ?? "" }),
    RedriveCount: 0,
    RedriveStatus: succeeded || times.executionType === "EXPRESS" ? "NOT_REDRIVABLE" : "REDRIVABLE",
    ...(succeeded ? { RedriveStatusReason: "Execution is SUCCEEDED and cannot be redriven" } : {}),
    StartDate: times.startDate,
    StateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${stateMachineName}`,
    Status: outcome.status,
    StopDate: new Date().toISOString(),
  };
}

function pendingRecord(batch: unknown[], batched: boolean, settings: Record<string, unknown>) {
  const input = batched
    ? { Items: batch, ...(settings.batchInput !== null ? { BatchInput: settings.batchInput } : {}) }
    : batch[0];
  return { Input: JSON.stringify(input), InputDetails: { Included: true }, Status: "PENDING" };
}

async function writeResults(
  stateName: string,
  map: DistributedMapDefinition,
  location: ObjectLocation,
  buckets: Record<string, ObjectStore>,
  results: { mapRunArn: string; mapRunId: string; records: ChildRecord[]; pending: unknown[] },
): Promise<{ Bucket: string; Key: string }> {
  if (map.ResultWriter?.Resource !== "arn:aws:states:::s3:putObject") {
    throw new Error(`Map ${stateName}: the local ResultWriter writes with s3:putObject only`);
  }
  const store = storeFor(stateName, location.Bucket, buckets);
  const prefix = String(location.Prefix ?? "").replace(/\/+$/, "");
  const folder = `${prefix ? `${prefix}/` : ""}${results.mapRunId}`;
  const files: Record<"FAILED" | "PENDING" | "SUCCEEDED", { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  const groups = {
    SUCCEEDED: results.records.filter((r) => r.Status === "SUCCEEDED"),
    FAILED: results.records.filter((r) => r.Status === "FAILED"),
    PENDING: results.pending,
  };
  try {
    for (const status of ["SUCCEEDED", "FAILED", "PENDING"] as const) {
      if (groups[status].length === 0) continue;
      const key = `${folder}/${status}_0.json`;
      const body = JSON.stringify(groups[status]);
      await store.put(key, body, "application/json");
      files[status].push({ Key: key, Size: Buffer.byteLength(body, "utf8") });
    }
    const manifestKey = `${folder}/manifest.json`;
    const manifest = {
      DestinationBucket: String(location.Bucket),
      MapRunArn: results.mapRunArn,
      ResultFiles: files,
    };
    await store.put(manifestKey, JSON.stringify(manifest), "application/json");
    return { Bucket: String(location.Bucket), Key: manifestKey };
  } catch (error) {
    throw new DistributedMapError(
      "States.ResultWriterFailed",
      `Writing the results of ${stateName} to s3://${String(location.Bucket)}/${folder} failed: ${(error as Error).message}`,
    );
  }
}

function storeFor(stateName: string, bucket: unknown, buckets: Record<string, ObjectStore>) {
  const store = typeof bucket === "string" ? buckets[bucket] : undefined;
  if (!store) {
    throw new Error(
      `Map ${stateName}: bucket ${JSON.stringify(bucket)} has no local store ` +
        `(known: ${Object.keys(buckets).join(", ")})`,
    );
  }
  return store;
}

/** `{ name: value }` or `{ "name.$": path }` for a field that may come from the input. */
function pathOrValue(holder: object | undefined, field: string): Record<string, unknown> | null {
  if (!holder) return null;
  const fields = holder as Record<string, unknown>;
  if (fields[`${field}Path`] !== undefined) return { "value.$": fields[`${field}Path`] };
  if (fields[field] !== undefined) return { value: fields[field] };
  return null;
}

const positiveOr = (value: unknown, fallback: number): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback;

/**
 * Payload templates of the Map's configurations, evaluated against the state's input by the
 * interpreter (a Pass state with these Parameters), so paths and intrinsics behave as in ASL.
 */
async function evaluate(
  templates: Record<string, unknown>,
  input: unknown,
  context: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const present = Object.fromEntries(
    Object.entries(templates).filter(([, template]) => template !== null),
  );
  const machine = new StateMachine(
    {
      StartAt: "Evaluate",
      States: { Evaluate: { Type: "Pass", Parameters: present as never, End: true } },
    },
    { validationOptions: { checkArn: false, checkPaths: false } },
  );
  const evaluated = (await machine.run(input as never, { context: context as never })
    .result) as Record<string, unknown>;
  const unwrap = (key: string) => {
    const value = evaluated[key] as { value?: unknown } | undefined;
    return value === undefined ? undefined : value.value;
  };
  return {
    reader: evaluated.reader ?? {},
    writer: evaluated.writer ?? {},
    batchInput: evaluated.batchInput ?? null,
    maxItems: unwrap("maxItems"),
    maxBytes: unwrap("maxBytes"),
    concurrency: unwrap("concurrency"),
    toleratedPercentage: unwrap("toleratedPercentage"),
    toleratedCount: unwrap("toleratedCount"),
  };
}
