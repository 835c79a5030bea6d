// The floor of the transform benchmark: turning every raw object the transform reads (the
// playlist bodies, items pages and artist responses its manifests list) from bytes into JS
// values, and nothing else. No Node transform of this input can be faster. Reading the files
// is timed apart, so the floor is the parse alone.

import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  readArtistsManifest,
  readPlaylistManifest,
  isUnavailable,
} from "../../functions/core/raw-manifests";
import { parseRawJson } from "../../functions/core/transform/raw-json";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import { workerMain } from "../lib/child";
import { BENCH_SNAPSHOT } from "../lib/dataset";

export interface FloorArgs {
  rawDir: string;
  playlistIds: string[];
}

export interface FloorResult {
  /** Time spent in bytes -> JS values (decode + JSON.parse), summed over objects. */
  parseMs: number;
  readMs: number;
  objects: number;
  bytes: number;
}

async function run(args: FloorArgs): Promise<FloorResult> {
  const store = new FileObjectStore(args.rawDir);
  const keys: string[] = [];
  for (const id of [...args.playlistIds].sort()) {
    const manifest = await readPlaylistManifest(store, BENCH_SNAPSHOT, id);
    if (isUnavailable(manifest)) continue;
    keys.push(
      manifest.playlist.key,
      ...manifest.itemPages.filter((p) => !p.embeddedAt).map((p) => p.key),
    );
  }
  const artists = await readArtistsManifest(store, BENCH_SNAPSHOT);
  keys.push(...artists.responses.filter((r) => r.status === 200).map((r) => r.key));

  let parseMs = 0;
  let readMs = 0;
  let bytes = 0;
  let sink = 0;
  for (const key of keys) {
    const readStarted = performance.now();
    const body = new Uint8Array(await readFile(path.join(args.rawDir, key)));
    const parseStarted = performance.now();
    const value = parseRawJson(body, key);
    parseMs += performance.now() - parseStarted;
    readMs += parseStarted - readStarted;
    bytes += body.length;
    // Keeps the parse from being optimized away.
    if (value !== null && typeof value === "object") sink++;
  }
  if (sink !== keys.length) throw new Error(`only ${sink} of ${keys.length} objects parsed`);
  return { parseMs, readMs, objects: keys.length, bytes };
}

if (require.main === module) workerMain(run);
