// Two executions of the same snapshot at once (the scheduled run and a console rerun) must
// never leave a mix of both in the lake.

import { describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { fingerprintFolder, newDataDir, runWithEmulator } from "../support/local-run";
import { SNAPSHOT, START } from "../support/e2e-snapshot";

describe("Concurrent executions of one snapshot", () => {
  it("end with one writer's complete snapshot: the other stops with SnapshotLockedError or runs after it", async () => {
    const clean = newDataDir();
    const reference = await runWithEmulator({
      dataDir: clean,
      input: { snapshot: SNAPSHOT },
      startTime: START,
    });
    expect(reference.status).toBe("SUCCEEDED");

    const dataDir = newDataDir();
    const [first, second] = await Promise.all(
      ["scheduled", "console-rerun"].map((executionName) =>
        runWithEmulator({
          dataDir,
          executionName,
          input: { snapshot: SNAPSHOT },
          startTime: START,
        }),
      ),
    );
    // A lease refused in the Map's children fails the Map Run: its failed child names it.
    const outcomes = [first!, second!].map((r) =>
      r.status === "SUCCEEDED" ? "ok" : (r.mapRunFailure?.error ?? r.error),
    );
    expect(outcomes).toContain("ok");
    for (const outcome of outcomes) expect(["ok", "SnapshotLockedError"]).toContain(outcome);

    expect(await fingerprintFolder(localPaths(dataDir).lake)).toEqual(
      await fingerprintFolder(localPaths(clean).lake),
    );
    const { rows } = await runSql(
      localPaths(dataDir).catalog,
      "SELECT COUNT(*) - COUNT(DISTINCT playlist_id || ':' || CAST(position AS VARCHAR)) AS duplicates FROM songs_data",
    );
    expect(rows[0]!.duplicates).toBe("0");
  });
});
