// The local runtime's own files and its concurrency: execution names that two runs started in
// the same millisecond cannot share, a catalog that an open query (another process) does not
// lock against a run, state files written whole or rebuilt, a catalog that follows its data
// folder when it is copied or moved, temporary files of killed writers removed later, and a
// data folder that is a file named in a clear error.

import { spawn } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { newDataDir, runWithEmulator } from "../support/local-run";
import { SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";

const TWO = { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS.slice(0, 2) };
const run = (dataDir: string, extra: Partial<Parameters<typeof runWithEmulator>[0]> = {}) =>
  runWithEmulator({ dataDir, input: TWO, startTime: START, ...extra });
const songCount = async (dataDir: string) =>
  (await runSql(localPaths(dataDir).catalog, "SELECT COUNT(*) AS n FROM songs_data")).rows[0]!.n;

/** A second process holding the catalog open read-only, as an open `npm run query` would. */
async function holdCatalogOpen(catalog: string): Promise<() => void> {
  const script =
    `const { DuckDBInstance } = require("@duckdb/node-api");` +
    `DuckDBInstance.create(${JSON.stringify(catalog)}, { access_mode: "READ_ONLY" })` +
    `.then((i) => i.connect()).then(() => { console.log("open"); setInterval(() => {}, 1000); });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("open") && resolve());
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return () => child.kill();
}

describe("Local runs and their files", () => {
  it("give two runs started in the same millisecond different executions, which the lease tells apart", async () => {
    const dataDir = newDataDir();
    const [a, b] = await Promise.all([run(dataDir), run(dataDir)]);

    expect(a!.executionId).not.toBe(b!.executionId);
    // A lease refused in the Map's children fails the Map Run: its failed child names it.
    const outcomes = [a!, b!].map((r) =>
      r.status === "SUCCEEDED" ? "ok" : (r.mapRunFailure?.error ?? r.error),
    );
    expect(outcomes).toContain("ok");
    for (const outcome of outcomes) expect(["ok", "SnapshotLockedError"]).toContain(outcome);
  });

  it("crawl while another process holds the catalog open for a query", async () => {
    const dataDir = newDataDir();
    expect((await run(dataDir)).status).toBe("SUCCEEDED");
    const release = await holdCatalogOpen(localPaths(dataDir).catalog);
    try {
      const again = await run(dataDir);
      expect(again.status, `${again.error}: ${again.cause}`).toBe("SUCCEEDED");
    } finally {
      release();
    }
  });

  it("rebuild a truncated crawler state file, and name a corrupt catalog, which the next crawl replaces", async () => {
    const dataDir = newDataDir();
    expect((await run(dataDir)).status).toBe("SUCCEEDED");
    const { crawlerState, catalog } = localPaths(dataDir);
    writeFileSync(crawlerState, '{"state": "RUNN');
    writeFileSync(catalog, "this is not a DuckDB file");

    await expect(songCount(dataDir)).rejects.toThrow(
      new RegExp(
        `local catalog ${catalog.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")} cannot be read.*npm start`,
      ),
    );
    const again = await run(dataDir);
    expect(again.status, `${again.error}: ${again.cause}`).toBe("SUCCEEDED");
    expect(Number(await songCount(dataDir))).toBeGreaterThan(0);
  });

  it("keep a copied or moved data folder reading its own files", async () => {
    const original = newDataDir();
    expect((await run(original)).status).toBe("SUCCEEDED");
    const before = await songCount(original);
    const moved = `${original}-moved`;
    cpSync(original, moved, { recursive: true });
    rmSync(original, { recursive: true });

    expect(await songCount(moved)).toBe(before);
  });

  it("remove the temporary files a killed writer left, and only those", async () => {
    const dataDir = newDataDir();
    const folder = join(localPaths(dataDir).lake, "songs_data", "snapshot_date=2026-11-21");
    mkdirSync(folder, { recursive: true });
    // A pid no process has (above Linux's pid_max), and this process's own.
    const abandoned = join(folder, "part-00000.parquet.99999999-0123456789ab.tmp");
    const live = join(folder, `part-00001.parquet.${process.pid}-0123456789ab.tmp`);
    writeFileSync(abandoned, "half a file");
    writeFileSync(live, "being written");

    expect((await run(dataDir)).status).toBe("SUCCEEDED");

    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it("refuse a data folder that is a file, naming it", async () => {
    const file = join(newDataDir(), "not-a-folder");
    writeFileSync(file, "");
    await expect(run(file)).rejects.toThrow(`the data folder ${file} is a file, not a folder`);
  });
});
