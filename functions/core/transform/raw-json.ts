// Raw Spotify bodies -> JS values, the step that dominates the transform's time. Kept in one
// place so the benchmark's floor measures exactly what the transform does.

import { isUtf8 } from "node:buffer";
import { RawDataError } from "../../commons/errors";

/** Parses one stored response body (UTF-8 JSON); `name` identifies the object in the error. */
export function parseRawJson(bytes: Uint8Array, name: string): unknown {
  // Decoding would silently turn invalid bytes into U+FFFD in the lake. Spotify sends UTF-8,
  // so such an object is corrupt: the step fails naming it (the raw bytes stay as received).
  if (!isUtf8(bytes)) {
    throw new RawDataError(`${name} is not valid UTF-8 (its bytes are kept as received)`);
  }
  // Buffer's UTF-8 decoder, over the same memory: no copy of the body is made.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RawDataError(`${name} is not valid JSON`, { cause: error });
  }
}
