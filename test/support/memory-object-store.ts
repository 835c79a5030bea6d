// An in-memory ObjectStore for unit tests: same contract as S3 and the local folder store.

import type { ObjectStore } from "../../functions/commons/ports";

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly writes: string[] = [];

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.writes.push(key);
    this.objects.set(key, typeof body === "string" ? new TextEncoder().encode(body) : body.slice());
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.slice();
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  text(key: string): string | undefined {
    const bytes = this.objects.get(key);
    return bytes && new TextDecoder().decode(bytes);
  }
}
