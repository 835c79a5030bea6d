// ObjectStore over a local folder: the filesystem lake. Writes go to a temporary file and are
// renamed into place, so, like an S3 PUT, a reader never sees half an object.

import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import type { ConditionalObjectStore } from "../../functions/commons/ports";
import { filesUnder } from "./files-under";
import { temporaryPathFor } from "./temporary-files";

const etagOf = (body: Uint8Array) => createHash("sha256").update(body).digest("hex");

// Conditional writes are serialized per folder within the process (the local runtime is one
// process), whichever FileObjectStore instance makes them.
const conditionalQueues = new Map<string, Promise<unknown>>();

export class FileObjectStore implements ConditionalObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Maps a key to a path, refusing keys that would land outside the root. */
  pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (key === "" || key.startsWith("/") || !path.startsWith(this.root + sep)) {
      throw new Error(`object key escapes the store: ${JSON.stringify(key)}`);
    }
    return path;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = temporaryPathFor(path);
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async getVersioned(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
    const body = await this.get(key);
    return body && { body, etag: etagOf(body) };
  }

  putIfUnchanged(key: string, body: string, etag: string | undefined): Promise<boolean> {
    const queue = conditionalQueues.get(this.root) ?? Promise.resolve();
    const attempt = queue.then(async () => {
      const current = await this.getVersioned(key);
      if (current?.etag !== etag) return false;
      await this.put(key, body);
      return true;
    });
    conditionalQueues.set(
      this.root,
      attempt.catch(() => undefined),
    );
    return attempt;
  }

  async list(prefix: string): Promise<string[]> {
    // Start from the deepest folder the prefix names, not the whole store.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const files = await filesUnder(folder ? this.pathOf(folder) : this.root);
    const keys = files
      .filter((path) => !path.endsWith(".tmp"))
      .map((path) => relative(this.root, path).split(sep).join("/"))
      .filter((key) => key.startsWith(prefix));
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(this.pathOf(key), { force: true });
  }
}
