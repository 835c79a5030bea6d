// An in-memory ObjectStore, so the extract benchmark times HTTP and the extractor, not disks.
// Conditional writes compare the bytes themselves (the artists step's index needs them).

import type { ConditionalObjectStore } from "../../functions/commons/ports";

export class MemoryObjectStore implements ConditionalObjectStore {
  readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === "string" ? new TextEncoder().encode(body) : body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async getVersioned(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
    const body = this.objects.get(key);
    return body && { body, etag: new TextDecoder().decode(body) };
  }

  async putIfUnchanged(key: string, body: string, etag: string | undefined): Promise<boolean> {
    const current = this.objects.get(key);
    if ((current && new TextDecoder().decode(current)) !== etag) return false;
    this.objects.set(key, new TextEncoder().encode(body));
    return true;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}
