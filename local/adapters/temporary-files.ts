// Every local write goes to a temporary file renamed into place, so a reader never sees half a
// file. A process killed mid-write leaves its temporary file behind; the name carries the
// writer's process id, so a later run can tell an abandoned one (its writer is gone) from one
// another live run is still writing, and remove only the former.

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { basename } from "node:path";
import { filesUnder } from "./files-under";
import { processIsGone } from "./process-liveness";

const TEMPORARY = /\.(\d+)-[0-9a-f]{12}\.tmp$/;

/** A fresh temporary path beside `path`, naming this process. */
export const temporaryPathFor = (path: string): string =>
  `${path}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;

/** Removes, under `root`, the temporary files whose writer is no longer running; their paths. */
export async function removeAbandonedTemporaries(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const path of await filesUnder(root)) {
    const match = TEMPORARY.exec(basename(path));
    if (match && processIsGone(Number(match[1]))) {
      await rm(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
