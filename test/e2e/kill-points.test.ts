// Kill tests: a rerun of a published hour, after Spotify changed every table, dies at one of
// its writes (extraction, transform, publishing, lease); then the catalog must serve, for
// every table of the hour, the previous complete snapshot or the new one, the same for all
// four (never a mix), every file it names must be there, and a rerun (a new execution, not
// waiting for the dead run's lease) must leave exactly what an uninterrupted run leaves.
// Both crawl policies: publishing directly, and after a crawl of the copy in _crawl/.
// `npm test` kills at a few telling writes and once for real (SIGKILL of a child process);
// `npm run test:kill` (KILL_POINTS=all) kills before and after every single write.

import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LAKE_TABLES, rawKeys, type LakeTable } from "../../functions/commons/keys";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import { localPaths } from "../../local/local-pipeline";
import { generateSampleCatalogue } from "../../local/spotify-emulator/sample-data";
import type { SpotifyCatalogue } from "../../local/spotify-emulator/types";
import type { HarnessOptions } from "../support/fault-harness";
import { bucketFingerprints, runAgainstEmulator } from "../support/fault-harness";
import { SNAPSHOT } from "../support/e2e-snapshot";
import {
  KILL_INPUT,
  KILL_MODE,
  KILL_START,
  changedCatalogue,
  servedTables,
} from "../support/kill-scenario";
import { newDataDir } from "../support/local-run";
import type { KillPoint, WriteRecord } from "../support/process-death";
import { deadPid, processDeath } from "../support/process-death";

const EVERY_WRITE = process.env.KILL_POINTS === "all";

/** `it` when the test applies here, else nothing: no test that can only be skipped. */
const itWhen = (applies: boolean): typeof it =>
  applies ? it : ((() => undefined) as unknown as typeof it);

// On a stage that crawls only on a schema change the rerun publishes directly; on one that
// crawls every run it first copies the version to _crawl/ and crawls it.
describe.each(["on-schema-change", "every-run"] as const)(
  "A rerun of a published hour killed at a write (crawl policy %s)",
  (crawl) => {
    const run = (
      dataDir: string,
      catalogue: SpotifyCatalogue,
      options: Pick<HarnessOptions, "adapters" | "leaseHolder"> = {},
    ) =>
      runAgainstEmulator({
        dataDir,
        input: KILL_INPUT,
        startTime: KILL_START,
        emulator: { mode: KILL_MODE, catalogue },
        crawl,
        ...options,
      });

    const published = newDataDir();
    let previous: Record<LakeTable, string>;
    let next: Record<LakeTable, string>;
    let uninterrupted: Awaited<ReturnType<typeof bucketFingerprints>>;
    let writes: WriteRecord[];
    let gonePid: number;

    beforeAll(async () => {
      // The hour as first published, from the sample catalogue.
      const first = await run(published, generateSampleCatalogue());
      expect(first.status, `${first.error}: ${first.cause}`).toBe("SUCCEEDED");
      previous = await servedTables(published);
      // The same rerun, not interrupted: what every repaired hour must equal.
      const reference = copyOf(published);
      const counted = processDeath();
      const clean = await run(reference, changedCatalogue(), { adapters: counted.adapters });
      expect(clean.status, `${clean.error}: ${clean.cause}`).toBe("SUCCEEDED");
      next = await servedTables(reference);
      uninterrupted = await bucketFingerprints(reference);
      writes = counted.writes;
      // Every table changed, so a mix of the two snapshots cannot go unseen.
      for (const table of LAKE_TABLES) expect(next[table], table).not.toBe(previous[table]);
      gonePid = deadPid();
    }, 120_000);

    /** Kills the rerun at `point`, checks what queries see, reruns; returns what they saw. */
    async function killAndRepair(point: KillPoint): Promise<"previous" | "new"> {
      const dataDir = copyOf(published);
      const death = processDeath(point);
      const killed = await run(dataDir, changedCatalogue(), {
        adapters: death.adapters,
        // Its leases name a process that is gone, as a killed process's would.
        leaseHolder: { host: hostname(), pid: gonePid },
      });
      const where = `killed ${point.when} write ${point.write} (${writeName(writes[point.write - 1])})`;
      expect(death.dead, where).toBe(true);
      expect(killed.status, where).toBe("FAILED");

      const served = await expectOneSnapshot(dataDir, where);

      const rerun = await run(dataDir, changedCatalogue());
      expect(rerun.status, `${where}: rerun ${rerun.error}: ${rerun.cause}`).toBe("SUCCEEDED");
      expect(await servedTables(dataDir), where).toEqual(next);
      expect(await bucketFingerprints(dataDir), where).toEqual(uninterrupted);
      return served;
    }

    /** The catalog serves all four tables of the hour from one snapshot, every file present. */
    async function expectOneSnapshot(dataDir: string, where: string): Promise<"previous" | "new"> {
      const served = await servedTables(dataDir);
      const side = LAKE_TABLES.every((t) => served[t] === previous[t])
        ? "previous"
        : LAKE_TABLES.every((t) => served[t] === next[t])
          ? "new"
          : "a mix";
      expect(side, `${where}: ${JSON.stringify({ served, previous, next })}`).not.toBe("a mix");
      return side as "previous" | "new";
    }

    const indexOf = (test: (w: WriteRecord) => boolean, nth = 0) =>
      writes.map((w, i) => (test(w) ? i + 1 : 0)).filter((i) => i > 0)[nth]!;
    const isVersionFile = (w: WriteRecord) => w.bucket === "lake" && w.key.includes("/version=");

    const directly = crawl === "on-schema-change";
    const isCrawlCopy = (w: WriteRecord) => w.bucket === "lake" && w.key.startsWith("_crawl/");

    itWhen(!directly)(
      "serves the previous snapshot when killed while copying the version for the crawler, then repairs",
      async () => {
        const write = indexOf(isCrawlCopy);
        expect(await killAndRepair({ write, when: "after" })).toBe("previous");
      },
    );

    itWhen(directly)(
      "serves the previous snapshot when killed after the first table of the transform, then repairs",
      async () => {
        const write = indexOf(isVersionFile);
        expect(writes[write - 1]!.key).toMatch(/^songs_data\//);
        expect(await killAndRepair({ write, when: "after" })).toBe("previous");
      },
    );

    itWhen(directly)(
      "serves the new snapshot when killed after the catalog switch, before the publication record",
      async () => {
        const write = indexOf((w) => w.key.startsWith("_published/"));
        expect(await killAndRepair({ write, when: "before" })).toBe("new");
      },
    );

    itWhen(directly)(
      "serves the previous snapshot when killed mid-extraction, then repairs",
      async () => {
        const write = indexOf((w) => w.key.endsWith("/_manifest.json"));
        expect(await killAndRepair({ write, when: "after" })).toBe("previous");
      },
    );

    itWhen(EVERY_WRITE)(
      directly
        ? "never serves a mix and always repairs, killed before or after any write of the run"
        : "never serves a mix and always repairs, killed before or after any write from the crawler's copy on",
      async () => {
        const seen: string[] = [];
        // Up to the copy, a run that crawls writes what one that does not writes (above).
        const from = directly ? 1 : indexOf(isCrawlCopy);
        for (let write = from; write <= writes.length; write++) {
          for (const when of ["before", "after"] as const) {
            seen.push(
              `${when} ${write} ${writeName(writes[write - 1])}: ${await killAndRepair({ write, when })}`,
            );
          }
        }
        // Every kill point tested, each ending in one snapshot or the other.
        expect(seen).toHaveLength(2 * (writes.length - from + 1));
        console.info(`kill points (${seen.length}):\n${seen.join("\n")}`);
      },
      1_800_000,
    );

    itWhen(directly)(
      "lets a rerun take over at once from a process SIGKILLed mid-transform, whose lease is still live",
      async () => {
        // Prepare: a child process runs the rerun and SIGKILLs itself before its second table.
        const dataDir = copyOf(published);
        const write = indexOf(isVersionFile, 1);
        const child = spawnSync(
          process.execPath,
          [
            "--import",
            "tsx",
            join(__dirname, "../support/die-at-write.ts"),
            dataDir,
            String(write),
            "before",
          ],
          { encoding: "utf8", env: { ...process.env, POWERTOOLS_LOG_LEVEL: "SILENT" } },
        );
        expect(child.signal, child.stderr).toBe("SIGKILL");
        const lease = JSON.parse(
          readFileSync(
            join(localPaths(dataDir).raw, rawKeys.snapshotLease(parseSnapshotHour(SNAPSHOT))),
            "utf8",
          ),
        ) as { expiresAt: string; holder: { pid: number } };
        expect(lease.holder.pid).toBe(child.pid);
        expect(Date.parse(lease.expiresAt)).toBeGreaterThan(Date.now());
        expect(await expectOneSnapshot(dataDir, "SIGKILL mid-transform")).toBe("previous");

        // Act
        const rerun = await run(dataDir, changedCatalogue());

        // Assess
        expect(rerun.status, `${rerun.error}: ${rerun.cause}`).toBe("SUCCEEDED");
        expect(await servedTables(dataDir)).toEqual(next);
        expect(await bucketFingerprints(dataDir)).toEqual(uninterrupted);
      },
    );
  },
);

function copyOf(dataDir: string): string {
  const copy = newDataDir();
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

/** A write as a reader of a failure wants it: bucket, operation, (first) key. */
const writeName = (w: WriteRecord | undefined) =>
  w ? `${w.bucket} ${w.op} ${w.key.split(" ")[0]}` : "?";
