// The local runtime's Distributed Map (local/distributed-map.ts), with trivial children: items
// read from the store as ItemReader reads them, batches as ItemBatcher makes them, children
// at most MaxConcurrency at once, tolerated failures, the ResultWriter's files in AWS's layout,
// and a parent history that does not grow with the items.

import "../../local/polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { QuotaMeter } from "../../local/aws-quotas";
import type { ChildExecution, DistributedMapDefinition } from "../../local/distributed-map";
import {
  batchItems,
  DistributedMapError,
  runDistributedMap,
  withLocalDistributedMaps,
} from "../../local/distributed-map";
import { MemoryObjectStore } from "../support/memory-object-store";

const BUCKET = "${RawBucketName}";

/** A Distributed Map over the items at `$.itemsKey`, batched by `$.batchSize`. */
const mapState = (overrides: Partial<DistributedMapDefinition> = {}): DistributedMapDefinition => ({
  Type: "Map",
  ItemProcessor: {
    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
    StartAt: "Count",
    States: {
      Count: {
        Type: "Pass",
        Parameters: { "items.$": "States.ArrayLength($.Items)", "tag.$": "$.BatchInput.tag" },
        End: true,
      },
    },
  },
  ItemReader: {
    Resource: "arn:aws:states:::s3:getObject",
    ReaderConfig: { InputType: "JSON" },
    Parameters: { Bucket: BUCKET, "Key.$": "$.itemsKey" },
  },
  ItemBatcher: { MaxItemsPerBatchPath: "$.batchSize", BatchInput: { "tag.$": "$.tag" } },
  MaxConcurrencyPath: "$.concurrency",
  ResultWriter: {
    Resource: "arn:aws:states:::s3:putObject",
    Parameters: { Bucket: BUCKET, "Prefix.$": "States.Format('results/{}', $.tag)" },
  },
  ...overrides,
});

/** Children run by the interpreter itself, each with its own quota meter. */
function interpretedChildren(options: { fail?: (child: ChildExecution) => boolean } = {}) {
  const histories: number[] = [];
  const inputs: ChildExecution["input"][] = [];
  let running = 0;
  let mostAtOnce = 0;
  // One machine for all children: building one validates the definition, which takes a while.
  const machines = new Map<StateMachineDefinition, StateMachine>();
  const runChild = async (definition: StateMachineDefinition, child: ChildExecution) => {
    inputs[child.index] = child.input;
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    try {
      if (options.fail?.(child)) return { status: "FAILED" as const, error: "Boom", cause: "x" };
      const meter = new QuotaMeter();
      const machine =
        machines.get(definition) ??
        new StateMachine(definition, { validationOptions: { checkArn: false } });
      machines.set(definition, machine);
      const execution = machine.run(child.input as never);
      const logs = (async () => {
        for await (const event of execution.eventLogs) meter.observe(event);
      })();
      const output = await execution.result;
      await logs;
      histories[child.index] = meter.usage().historyEvents;
      return { status: "SUCCEEDED" as const, output };
    } finally {
      running -= 1;
    }
  };
  return { runChild, histories, inputs, mostAtOnce: () => mostAtOnce };
}

async function storeWithItems(items: unknown, key = "runs/items.json") {
  const store = new MemoryObjectStore();
  await store.put(key, typeof items === "string" ? items : JSON.stringify(items));
  return store;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}`);

const readJson = async (store: MemoryObjectStore, key: string) =>
  JSON.parse(Buffer.from((await store.get(key))!).toString("utf8")) as unknown;

describe("The local Distributed Map", () => {
  it("runs 10,000 items in batches as child executions, the parent's history a few events", async () => {
    // Prepare: the parent is one Distributed Map, interpreted with it swapped for its Task.
    const store = await storeWithItems(ids(10_000));
    const children = interpretedChildren();
    const { definition, maps } = withLocalDistributedMaps({
      StartAt: "Extract",
      States: { Extract: { ...(mapState() as object), End: true } },
    } as unknown as StateMachineDefinition);
    const meter = new QuotaMeter({ distributedMaps: new Set(maps.keys()) });
    const input = { itemsKey: "runs/items.json", batchSize: 25, concurrency: 4, tag: "t1" };

    // Act
    const execution = new StateMachine(definition, { validationOptions: { checkArn: false } }).run(
      input,
      {
        overrides: {
          taskResourceLocalHandlers: {
            Extract: (stateInput: unknown) =>
              runDistributedMap("Extract", maps.get("Extract")!, {
                input: stateInput,
                context: {},
                buckets: { [BUCKET]: store },
                stateMachineName: "sm",
                runChild: children.runChild,
              }) as never,
          },
        },
      },
    );
    const logs = (async () => {
      for await (const event of execution.eventLogs) meter.observe(event);
    })();
    const output = (await execution.result) as { ResultWriterDetails: { Key: string } };
    await logs;

    // Assess: 400 children of 25, each `{ Items, BatchInput }` and a history of its own.
    expect(children.inputs).toHaveLength(400);
    expect(children.inputs[0]).toEqual({ Items: ids(25), BatchInput: { tag: "t1" } });
    expect(children.inputs[399]!.Items).toEqual(ids(10_000).slice(9_975));
    expect(new Set(children.histories)).toEqual(new Set([4]));
    expect(children.mostAtOnce()).toBeLessThanOrEqual(4);
    // ExecutionStarted, the Map's six (entered, started, Map Run started and succeeded,
    // succeeded, exited), ExecutionSucceeded: nothing per item or per child.
    expect(meter.usage().historyEvents).toBe(8);
    expect(meter.usage().largestPayload.bytes).toBeLessThan(1_000);
    expect(output.ResultWriterDetails.Key).toMatch(/^results\/t1\/[0-9a-f-]{36}\/manifest\.json$/);
  });

  it("writes the Map Run's manifest and results files with the fields AWS writes", async () => {
    const store = await storeWithItems(ids(5));
    // A failed child fails its batch's two items: within the two tolerated.
    const children = interpretedChildren({ fail: (child) => child.index === 1 });
    const output = await runDistributedMap("Extract", mapState({ ToleratedFailureCount: 2 }), {
      input: { itemsKey: "runs/items.json", batchSize: 2, concurrency: 1, tag: "t2" },
      context: {},
      buckets: { [BUCKET]: store },
      stateMachineName: "sm",
      runChild: children.runChild,
    });

    expect(output.MapRunArn).toMatch(/^arn:aws:states:local:000000000000:mapRun:sm\/Extract:/);
    expect(output.ResultWriterDetails!.Bucket).toBe(BUCKET);
    const manifest = (await readJson(store, output.ResultWriterDetails!.Key)) as {
      DestinationBucket: string;
      MapRunArn: string;
      ResultFiles: Record<string, { Key: string; Size: number }[]>;
    };
    expect(manifest.DestinationBucket).toBe(BUCKET);
    expect(manifest.MapRunArn).toBe(output.MapRunArn);
    expect(Object.keys(manifest.ResultFiles).sort()).toEqual(["FAILED", "PENDING", "SUCCEEDED"]);
    expect(manifest.ResultFiles.PENDING).toEqual([]);
    const [succeededFile] = manifest.ResultFiles.SUCCEEDED!;
    expect(succeededFile!.Key).toMatch(/\/SUCCEEDED_0\.json$/);
    const succeeded = (await readJson(store, succeededFile!.Key)) as Record<string, unknown>[];
    expect(succeeded).toHaveLength(2);
    expect(succeeded[0]).toMatchObject({
      Input: JSON.stringify({ Items: ids(2), BatchInput: { tag: "t2" } }),
      InputDetails: { Included: true },
      Output: JSON.stringify({ items: 2, tag: "t2" }),
      OutputDetails: { Included: true },
      Status: "SUCCEEDED",
      RedriveCount: 0,
      StateMachineArn: expect.stringContaining("stateMachine:sm"),
      ExecutionArn: expect.stringContaining(":execution:sm/Extract:"),
      StartDate: expect.any(String),
      StopDate: expect.any(String),
    });
    const failed = (await readJson(store, manifest.ResultFiles.FAILED![0]!.Key)) as object[];
    expect(failed).toEqual([
      expect.objectContaining({ Status: "FAILED", Error: "Boom", Cause: "x" }),
    ]);
    expect(succeededFile!.Size).toBe((await store.get(succeededFile!.Key))!.length);
  });

  it("fails with States.ExceedToleratedFailureThreshold over the tolerated failures, starting no more children", async () => {
    const store = await storeWithItems(ids(20));
    const failing = interpretedChildren({ fail: (child) => child.index < 2 });
    const run = runDistributedMap("Extract", mapState({ ToleratedFailurePercentage: 5 }), {
      input: { itemsKey: "runs/items.json", batchSize: 1, concurrency: 1, tag: "t3" },
      context: {},
      buckets: { [BUCKET]: store },
      stateMachineName: "sm",
      runChild: failing.runChild,
    });

    // 1 of 20 items (5 %) is tolerated; the second failure is over it.
    const error = (await run.catch((e: unknown) => e)) as DistributedMapError;
    expect(error).toBeInstanceOf(DistributedMapError);
    expect(error.name).toBe("States.ExceedToleratedFailureThreshold");
    expect(error.failedChild).toMatchObject({ error: "Boom", cause: "x" });
    expect(failing.inputs.filter(Boolean)).toHaveLength(2);
    // The children never started are the Map Run's PENDING results.
    const manifestKey = (await store.list("results/t3/")).find((k) => k.endsWith("manifest.json"))!;
    const manifest = (await readJson(store, manifestKey)) as {
      ResultFiles: Record<string, { Key: string }[]>;
    };
    expect(await readJson(store, manifest.ResultFiles.PENDING![0]!.Key)).toHaveLength(18);

    // The same failures within a tolerance of 10 %: the Map succeeds.
    const tolerant = interpretedChildren({ fail: (child) => child.index < 2 });
    await expect(
      runDistributedMap("Extract", mapState({ ToleratedFailurePercentage: 10 }), {
        input: { itemsKey: "runs/items.json", batchSize: 1, concurrency: 2, tag: "t4" },
        context: {},
        buckets: { [BUCKET]: store },
        stateMachineName: "sm",
        runChild: tolerant.runChild,
      }),
    ).resolves.toHaveProperty("MapRunArn");
  });

  it("fails with States.ItemReaderFailed when the items object is missing or not a JSON array", async () => {
    const attempt = (store: MemoryObjectStore) =>
      runDistributedMap("Extract", mapState(), {
        input: { itemsKey: "runs/items.json", batchSize: 2, concurrency: 1, tag: "t5" },
        context: {},
        buckets: { [BUCKET]: store },
        stateMachineName: "sm",
        runChild: interpretedChildren().runChild,
      });
    for (const [store, why] of [
      [new MemoryObjectStore(), /runs\/items\.json failed: the object does not exist/],
      [await storeWithItems({ not: "a list" }), /not an array/],
      [await storeWithItems("[1, 2"), /not valid JSON/],
    ] as const) {
      await expect(attempt(store)).rejects.toMatchObject({
        name: "States.ItemReaderFailed",
        message: expect.stringMatching(why),
      });
    }
  });

  it("batches by count and by bytes, whichever is reached first", () => {
    const items = ["aaaa", "bbbb", "cccc", "dddd", "eeee"];
    expect(batchItems(items, { maxItems: 2, maxBytes: 1_000, withBatcher: true })).toEqual([
      ["aaaa", "bbbb"],
      ["cccc", "dddd"],
      ["eeee"],
    ]);
    // Each item is 6 bytes of JSON plus a comma; 2 + 7 + 7 = 16 fits, a third does not.
    expect(batchItems(items, { maxItems: 10, maxBytes: 16, withBatcher: true })).toEqual([
      ["aaaa", "bbbb"],
      ["cccc", "dddd"],
      ["eeee"],
    ]);
    expect(batchItems(items, { maxItems: 10, maxBytes: 16, withBatcher: false })).toHaveLength(5);
  });

  it("refuses a Distributed Map it cannot run as AWS would, naming the state", () => {
    expect(() =>
      withLocalDistributedMaps({
        StartAt: "M",
        States: { M: { ...(mapState({ ItemsPath: "$.list" }) as object), End: true } },
      } as unknown as StateMachineDefinition),
    ).toThrow(/Map M: .*ItemsPath/);
  });
});
