// The core's one bounded-concurrency map (artist lookup, manifest reads): input order, the
// limit, and a failure that names the same item whatever order the calls ended in.

import { describe, expect, it } from "vitest";
import { mapConcurrently } from "../../functions/core/concurrency";

/** A call that settles when the test says so, to control the order calls end in. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ticks = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

describe("Function: mapConcurrently", () => {
  it("returns the results in input order, whatever order the calls end in", async () => {
    // Prepare
    const items = [30, 5, 20, 0, 10];

    // Act
    const results = await mapConcurrently(items, 3, async (ms) => {
      await ticks(ms);
      return `done ${ms}`;
    });

    // Assess
    expect(results).toEqual(["done 30", "done 5", "done 20", "done 0", "done 10"]);
  });

  it("keeps at most `limit` calls in flight and starts items in index order", async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];

    // Act
    await mapConcurrently(
      Array.from({ length: 12 }, (_, n) => n),
      4,
      async (n) => {
        started.push(n);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await ticks(n % 3);
        inFlight -= 1;
      },
    );

    // Assess
    expect(peak).toBe(4);
    expect(started).toEqual(Array.from({ length: 12 }, (_, n) => n));
  });

  it("throws the error of the lowest-index failed item, even when a later item failed first", async () => {
    // Prepare: item 2 fails at once, item 0 fails only after it.
    const calls = [deferred<string>(), deferred<string>(), deferred<string>()];
    const mapped = mapConcurrently([0, 1, 2], 3, (n) => calls[n]!.promise);

    // Act
    calls[2]!.reject(new Error("item 2 failed"));
    await ticks(0);
    calls[1]!.resolve("item 1");
    calls[0]!.reject(new Error("item 0 failed"));

    // Assess
    await expect(mapped).rejects.toThrow("item 0 failed");
  });

  it("starts no new item after a failure, and waits for the calls in flight before throwing", async () => {
    // Prepare
    const started: number[] = [];
    let settledInFlight = false;

    // Act
    const error = await mapConcurrently(
      Array.from({ length: 10 }, (_, n) => n),
      2,
      async (n) => {
        started.push(n);
        if (n === 1) throw new Error("item 1 failed");
        await ticks(5);
        settledInFlight = true;
        return n;
      },
    ).catch((e: unknown) => e);

    // Assess: item 0 was in flight when item 1 failed; nothing after them started.
    expect(error).toEqual(new Error("item 1 failed"));
    expect(started).toEqual([0, 1]);
    expect(settledInFlight).toBe(true);
  });

  it("maps an empty list to an empty list and refuses a limit below one", async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
    await expect(mapConcurrently([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });
});
