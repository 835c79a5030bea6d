// Fingerprints of a folder's files, to compare what two runs left byte for byte.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * The runs' own records, not the pipeline's data, so not compared: Step Functions' results of
 * each Distributed Map run (one folder per Map Run, with dates and ids, as in AWS) and the
 * runs' playlist lists (the Map's items, by content: one per list a run was given).
 */
const MAP_RUN_RECORDS = /^spotify\/(map-runs|runs)\//;

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
