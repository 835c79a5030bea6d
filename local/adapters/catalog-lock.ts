// One writer of the local catalog at a time. Every change reads the catalog, changes it and
// renames a new file into place; two writers at once (runs of two hours) would lose one
// change, and a lost partition switch would leave an hour pointing at a version that its
// publication then deletes. Readers never take it (they read whichever file is in place). The
// lock is a file beside the catalog, created exclusively, naming its holder's pid; a holder
// that is gone (killed mid-write), or that has held it far longer than any write takes, no
// longer counts.

import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CrawlerFailedError } from "../../functions/commons/errors";
import { processIsGone } from "./process-liveness";

/** Far longer than a catalog write (well under a second): a holder this old is stuck. */
const STALE_AFTER_MS = 60_000;
const WAIT_AT_MOST_MS = 30_000;
const POLL_MS = 25;

export async function withCatalogLock<T>(catalogPath: string, work: () => Promise<T>): Promise<T> {
  const lock = `${catalogPath}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  const deadline = Date.now() + WAIT_AT_MOST_MS;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(lock, "utf8").catch(() => ""));
    const since = await stat(lock).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (processIsGone(holder) || Date.now() - since > STALE_AFTER_MS) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new CrawlerFailedError(
        `the local catalog ${catalogPath} has been locked by process ${holder} for over ` +
          `${WAIT_AT_MOST_MS / 1000} s; if no run is going on, delete ${lock}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
