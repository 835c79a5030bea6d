// "Write these objects, then remove whatever else is under their prefix": how every step
// that owns a folder (a playlist's raw objects, the artists' raw objects, a lake partition,
// a snapshot's quarantine folder) makes a rerun leave exactly what one run would. Overwrite
// first, delete after: a reader never finds the folder empty, and a rerun whose data shrank
// leaves no stale object behind.

import type { ObjectStore } from "../commons/ports";

/** Writes one object under the prefix being replaced. */
export type PutUnderPrefix = ObjectStore["put"];

/**
 * Runs `write`, which stores objects under `prefix` through the `put` it is given; once it
 * has resolved, deletes every object under `prefix` it did not put. When `write` throws,
 * nothing is deleted. Returns what `write` returned and the keys deleted.
 */
export async function replaceUnderPrefix<T>(
  store: ObjectStore,
  prefix: string,
  write: (put: PutUnderPrefix) => Promise<T>,
): Promise<{ result: T; removed: string[] }> {
  const written = new Set<string>();
  const result = await write(async (key, body, contentType) => {
    // A key outside the prefix would survive the clean-up below unnoticed: a bug here.
    if (!key.startsWith(prefix)) throw new Error(`${key} is not under ${prefix}`);
    await store.put(key, body, contentType);
    written.add(key);
  });
  const removed = (await store.list(prefix)).filter((key) => !written.has(key));
  if (removed.length > 0) await store.delete(removed);
  return { result, removed };
}
