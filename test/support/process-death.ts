// A process that dies at its Nth write, for kill tests. The local runtime's raw and lake
// stores are wrapped (LocalPipelineOptions.adapters) so that every write (put, conditional
// put, delete) is counted across both buckets; at write N the process "dies": the write
// happens or not (`after` / `before`), and from then on every store call of that process
// fails, so nothing it would still have done (a lease release, a clean-up) happens, exactly
// as if it had been killed there. Stores stand for S3 and the local folder; the catalog and
// the crawler are other services (Glue) and are not wrapped.

import { spawnSync } from "node:child_process";
import type { ConditionalObjectStore } from "../../functions/commons/ports";

export class ProcessDiedError extends Error {
  override readonly name = "ProcessDiedError";
}

export interface KillPoint {
  /** 1-based: the Nth write of the run. */
  write: number;
  when: "before" | "after";
}

export interface WriteRecord {
  bucket: "raw" | "lake";
  op: "put" | "putIfUnchanged" | "delete";
  key: string;
}

/**
 * `die`, when given, is how the process dies at the kill point (a child process: SIGKILL
 * itself); by default the write throws ProcessDiedError and every later store call too.
 */
export function processDeath(killAt?: KillPoint, die?: () => never) {
  const writes: WriteRecord[] = [];
  let dead = false;
  const alive = () => {
    if (dead) throw new ProcessDiedError("the process died");
  };
  async function write<T>(record: WriteRecord, perform: () => Promise<T>): Promise<T> {
    alive();
    writes.push(record);
    if (killAt && writes.length === killAt.write) {
      if (killAt.when === "after") await perform();
      die?.();
      dead = true;
      throw new ProcessDiedError(`the process died at write ${killAt.write} (${killAt.when})`);
    }
    return perform();
  }
  const wrap = (store: ConditionalObjectStore, bucket: "raw" | "lake"): ConditionalObjectStore => ({
    put: (key, body, contentType) =>
      write({ bucket, op: "put", key }, () => store.put(key, body, contentType)),
    putIfUnchanged: (key, body, etag) =>
      write({ bucket, op: "putIfUnchanged", key }, () => store.putIfUnchanged(key, body, etag)),
    delete: (keys) =>
      write({ bucket, op: "delete", key: keys.join(" ") }, () => store.delete(keys)),
    get: async (key) => (alive(), store.get(key)),
    getVersioned: async (key) => (alive(), store.getVersioned(key)),
    list: async (prefix) => (alive(), store.list(prefix)),
  });
  return {
    writes,
    get dead() {
      return dead;
    },
    /** For LocalPipelineOptions.adapters: both buckets' stores count toward one death. */
    adapters: {
      objectStore: (bucket: "raw" | "lake", store: ConditionalObjectStore) => wrap(store, bucket),
    },
  };
}

/** The pid of a process that has exited (and been reaped): provably gone. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}
