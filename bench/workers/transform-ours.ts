// The project's transform, exactly as the TransformSnapshot Lambda runs it (transformSnapshot
// over two ObjectStores), reading the raw folder and writing the lake folder on local disk.

import { transformSnapshot } from "../../functions/core/transform/transform-snapshot";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import { workerMain } from "../lib/child";
import { BENCH_SNAPSHOT } from "../lib/dataset";

export interface OursTransformArgs {
  rawDir: string;
  lakeDir: string;
  playlistIds: string[];
}

export interface OursTransformResult {
  ms: number;
  rows: Record<string, number>;
  entriesRead: number;
  files: number;
}

async function run(args: OursTransformArgs): Promise<OursTransformResult> {
  const started = performance.now();
  const report = await transformSnapshot({
    rawStore: new FileObjectStore(args.rawDir),
    lakeStore: new FileObjectStore(args.lakeDir),
    snapshot: BENCH_SNAPSHOT,
    playlistIds: args.playlistIds,
  });
  return {
    ms: performance.now() - started,
    rows: report.rows,
    entriesRead: report.entries.read,
    files: report.files,
  };
}

if (require.main === module) workerMain(run);
