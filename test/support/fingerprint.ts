// Fingerprints of a folder's files, to compare what two runs left byte for byte.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * Step Functions' own records of each Distributed Map run (the ResultWriter's folder, one per
 * Map Run with dates and run ids, as in AWS): not the pipeline's data, so not compared.
 */
const MAP_RUN_RECORDS = /^spotify\/map-runs\//;

/** SHA-256 of every file under a folder, keyed by relative path (Map Run records left out). */
export async function fingerprintFolder(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  await walk(root);
  return Object.fromEntries(
    Object.entries(out)
      .filter(([path]) => !MAP_RUN_RECORDS.test(path))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}
