// The catalog without an hourly crawl, end to end: the first run crawls (the catalog has no
// tables yet), later hours register their partitions directly and skip the crawler's wait,
// a rerun registers nothing twice, and with policy every-run every run crawls. Whatever the
// path, validation passes and the README's queries see every hour.

import { describe, expect, it } from "vitest";
import { LAKE_TABLES } from "../../functions/commons/keys";
import { schemaFingerprint } from "../../functions/core/catalog-schema";
import { tableSchemaFingerprints } from "../../functions/core/transform/schema";
import { DuckDbCatalog } from "../../local/adapters/duckdb-catalog";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { FileObjectStore } from "../../local/adapters/file-object-store";
import { localPaths } from "../../local/local-pipeline";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { SIX_PLAYLISTS } from "../support/e2e-snapshot";
import { newDataDir, runWithEmulator } from "../support/local-run";

const hour = (h: string) => ({
  input: { snapshot: `2026-11-21T${h}:00:00Z`, playlists: SIX_PLAYLISTS },
  startTime: new Date(`2026-11-21T${h}:04:31Z`),
  executionName: `crawl-policy-${h}`,
});

async function run(dataDir: string, h: string, crawl?: "every-run") {
  const result = await runWithEmulator({ dataDir, ...hour(h), ...(crawl ? { crawl } : {}) });
  expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
  const output = result.output as PipelineOutput;
  expect(output.validation.checks.results!.filter((c) => !c.passed)).toEqual([]);
  return output.crawler.crawl;
}

describe("Crawl policy on-schema-change (the default)", () => {
  it("crawls once, then registers each new hour's partitions without the crawler", async () => {
    const dataDir = newDataDir();
    const first = await run(dataDir, "05");
    expect(first).toMatchObject({
      path: "crawler",
      reason: "songs_data is not in the catalog yet",
    });

    // What the crawl recorded is what the transform reports it wrote: no crawl next hour.
    const paths = localPaths(dataDir);
    const catalog = new DuckDbCatalog(new FileObjectStore(paths.lake), paths.catalog);
    const written = tableSchemaFingerprints();
    for (const table of LAKE_TABLES) {
      expect(schemaFingerprint((await catalog.tableColumns(table))!), table).toBe(written[table]);
    }

    const second = await run(dataDir, "06");
    expect(second).toMatchObject({
      path: "registered",
      done: true,
      polls: 0,
      partitions: { added: 4, existing: 0 },
    });
    const rerun = await run(dataDir, "06");
    expect(rerun).toMatchObject({ path: "registered", partitions: { added: 0, existing: 4 } });

    const { rows: hours } = await runSql(
      paths.catalog,
      "SELECT snapshot_hour, COUNT(*) AS n FROM songs_data GROUP BY snapshot_hour ORDER BY 1",
    );
    expect(hours.map((row) => row.snapshot_hour)).toEqual(["05", "06"]);
    expect(String(hours[0]!.n)).toBe(String(hours[1]!.n));
  });
});

describe("Crawl policy every-run", () => {
  it("crawls on every run, even when the schema is unchanged", async () => {
    const dataDir = newDataDir();
    await run(dataDir, "05", "every-run");
    expect(await run(dataDir, "06", "every-run")).toMatchObject({
      path: "crawler",
      reason: "the stage crawls on every run",
    });
  });
});
