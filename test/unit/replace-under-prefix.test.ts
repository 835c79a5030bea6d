// replaceUnderPrefix: the one place where a step writes a folder's objects and then removes
// what an earlier, longer run left in it.

import { describe, expect, it } from "vitest";
import { replaceUnderPrefix } from "../../functions/core/replace-under-prefix";
import { MemoryObjectStore } from "../support/memory-object-store";

/** A memory store that also logs every operation, in order. */
class LoggingStore extends MemoryObjectStore {
  readonly log: string[] = [];

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    this.log.push(`put ${key}`);
    await super.put(key, body);
  }

  override async list(prefix: string): Promise<string[]> {
    this.log.push(`list ${prefix}`);
    return super.list(prefix);
  }

  override async delete(keys: readonly string[]): Promise<void> {
    this.log.push(`delete ${keys.join(",")}`);
    await super.delete(keys);
  }
}

async function storeWith(keys: string[]): Promise<LoggingStore> {
  const store = new LoggingStore();
  for (const key of keys) await store.put(key, "old");
  store.log.length = 0;
  return store;
}

describe("replaceUnderPrefix", () => {
  it("writes the objects, then deletes only the keys under the prefix that were not just written", async () => {
    const store = await storeWith(["t/p/part-0", "t/p/part-1", "t/p/part-2", "t/other", "u/x"]);

    const { result, removed } = await replaceUnderPrefix(store, "t/p/", async (put) => {
      await put("t/p/part-0", "new 0", "text/plain");
      await put("t/p/part-1", "new 1", "text/plain");
      return "done";
    });

    expect(result).toBe("done");
    expect(removed).toEqual(["t/p/part-2"]);
    expect([...store.objects.keys()].sort()).toEqual([
      "t/other",
      "t/p/part-0",
      "t/p/part-1",
      "u/x",
    ]);
    expect(store.text("t/p/part-0")).toBe("new 0");
  });

  it("deletes nothing when nothing under the prefix is stale", async () => {
    const store = await storeWith(["t/p/part-0", "t/q/part-0"]);

    const { removed } = await replaceUnderPrefix(store, "t/p/", async (put) => {
      await put("t/p/part-0", "new", "text/plain");
      await put("t/p/part-1", "new", "text/plain");
    });

    expect(removed).toEqual([]);
    expect(store.log.filter((op) => op.startsWith("delete"))).toEqual([]);
    expect([...store.objects.keys()].sort()).toEqual(["t/p/part-0", "t/p/part-1", "t/q/part-0"]);
  });

  it("empties the prefix when nothing is written", async () => {
    const store = await storeWith(["q/s/rejected.ndjson"]);

    const { removed } = await replaceUnderPrefix(store, "q/s/", async () => undefined);

    expect(removed).toEqual(["q/s/rejected.ndjson"]);
    expect(store.objects.size).toBe(0);
  });

  it("deletes only after every write has finished", async () => {
    const store = await storeWith(["t/p/a", "t/p/stale"]);

    await replaceUnderPrefix(store, "t/p/", async (put) => {
      await put("t/p/a", "1", "text/plain");
      await new Promise((resolve) => setTimeout(resolve, 5));
      await put("t/p/b", "2", "text/plain");
    });

    expect(store.log).toEqual(["put t/p/a", "put t/p/b", "list t/p/", "delete t/p/stale"]);
  });

  it("deletes nothing when the writes fail", async () => {
    const store = await storeWith(["t/p/a", "t/p/stale"]);

    const failing = replaceUnderPrefix(store, "t/p/", async (put) => {
      await put("t/p/a", "1", "text/plain");
      throw new Error("Spotify went away");
    });

    await expect(failing).rejects.toThrow("Spotify went away");
    expect([...store.objects.keys()].sort()).toEqual(["t/p/a", "t/p/stale"]);
  });

  it("refuses a key outside the prefix, which the clean-up would never see", async () => {
    const store = await storeWith([]);

    const outside = replaceUnderPrefix(store, "t/p/", (put) => put("t/q/a", "1", "text/plain"));

    await expect(outside).rejects.toThrow("t/q/a is not under t/p/");
    expect(store.objects.size).toBe(0);
  });
});
