// Reads a snapshot's raw objects in a fixed order with a bounded read-ahead. Parsing is CPU
// work and a GET is mostly waiting (tens of milliseconds on S3, a thread-pool round trip on
// disk): fetching the next few objects while the current one is parsed keeps the transform
// busy instead of idle, and the window bounds how many raw bodies are held at once.

import { RawDataError } from "../../commons/errors";
import type { ObjectStore } from "../../commons/ports";
import type { StoredResponse } from "../raw-manifests";
import { parseRawJson } from "./raw-json";

/** Objects fetched ahead of the one being parsed (each a raw page of ~100 KB). */
export const DEFAULT_READ_AHEAD = 16;

export class RawReader {
  private readonly pending: Promise<Uint8Array | undefined>[] = [];
  private next = 0;
  private consumed = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly refs: readonly StoredResponse[],
    private readonly readAhead = DEFAULT_READ_AHEAD,
  ) {
    this.fill();
  }

  /**
   * The parsed body of the next object; `expected` must be that object (the caller walks the
   * same list), so reads can never drift from what the caller believes it is parsing.
   */
  async read(expected: StoredResponse): Promise<unknown> {
    const ref = this.refs[this.consumed];
    if (ref !== expected) {
      throw new Error(`raw objects read out of order: expected ${ref?.key}, asked ${expected.key}`);
    }
    const body = await this.pending[this.consumed]!;
    // Drop the reference: the bytes can be collected as soon as they are parsed.
    delete this.pending[this.consumed];
    this.consumed++;
    this.fill();
    if (body === undefined) {
      throw new RawDataError(`${ref.key} is listed in a manifest but missing from the raw store`);
    }
    return parseRawJson(body, `${ref.key} (from ${ref.url})`);
  }

  private fill(): void {
    while (this.next < this.refs.length && this.next < this.consumed + this.readAhead) {
      const promise = this.store.get(this.refs[this.next]!.key);
      // A read that fails after the transform has already given up must not surface as an
      // unhandled rejection; read() still awaits the original promise and sees the error.
      promise.catch(() => undefined);
      this.pending[this.next++] = promise;
    }
  }
}
