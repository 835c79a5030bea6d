// An in-memory ObjectStore for unit tests: same contract as S3 and the local folder store.

import { createHash } from "node:crypto";
import type { ConditionalObjectStore } from "../../functions/commons/ports";

export class MemoryObjectStore implements ConditionalObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly writes: string[] = [];

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.writes.push(key);
    this.objects.set(key, typeof body === "string" ? new TextEncoder().encode(body) : body.slice());
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.slice();
  }

  async getVersioned(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
    const body = this.objects.get(key);
    return body && { body: body.slice(), etag: createHash("sha256").update(body).digest("hex") };
  }

  async putIfUnchanged(key: string, body: string, etag: string | undefined): Promise<boolean> {
    // Compare and write in one turn of the event loop, as S3 does in one request: no await in
    // between, so two concurrent callers cannot both win.
    const current = this.objects.get(key);
    const currentEtag = current && createHash("sha256").update(current).digest("hex");
    if (currentEtag !== etag) return false;
    this.writes.push(key);
    this.objects.set(key, new TextEncoder().encode(body));
    return true;
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

  /** Every object as text, in key order: what a test compares between two runs. */
  texts(): Map<string, string> {
    return new Map([...this.objects.keys()].sort().map((k) => [k, this.text(k)!]));
  }
}
