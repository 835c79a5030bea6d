// Whether this run needs a crawl at all. The schema is fixed by our own writer, so an hourly
// crawl mostly rediscovers what the transform already knows (and bills at least ten minutes).
// Policy "on-schema-change" crawls only when a table is not in the catalog yet or its schema
// there differs from what the transform wrote; otherwise the run's version is published
// directly (publish.ts). Policy "every-run" always crawls.

import type { CrawlPolicy } from "../../commons/config";
import { InvalidInputError } from "../../commons/errors";
import { LAKE_TABLES, type LakeTable } from "../../commons/keys";
import type { Catalog } from "../../commons/ports";
import { schemaFingerprint } from "../catalog-schema";

export type CrawlDecision =
  { crawl: true; reason: string } | { crawl: false; reason: string; tables: readonly LakeTable[] };

/** The transform's `schemas` output, checked: one fingerprint per lake table. */
export function readSchemaFingerprints(value: unknown): Record<LakeTable, string> {
  const schemas = value as Record<string, unknown> | null | undefined;
  const missing = LAKE_TABLES.filter((table) => typeof schemas?.[table] !== "string");
  if (typeof value !== "object" || value === null || missing.length > 0) {
    throw new InvalidInputError(
      "schemas",
      `must be the TransformSnapshot state's schema fingerprints, one per table (missing: ${missing.join(", ")})`,
    );
  }
  return schemas as Record<LakeTable, string>;
}

export async function decideCrawl(
  catalog: Catalog,
  policy: CrawlPolicy,
  schemas: Readonly<Record<LakeTable, string>>,
): Promise<CrawlDecision> {
  if (policy === "every-run") return { crawl: true, reason: "the stage crawls on every run" };
  for (const table of LAKE_TABLES) {
    const columns = await catalog.tableColumns(table);
    if (columns === undefined) return { crawl: true, reason: `${table} is not in the catalog yet` };
    if (schemaFingerprint(columns) !== schemas[table]) {
      return { crawl: true, reason: `${table}'s schema differs from the catalog's` };
    }
  }
  return { crawl: false, reason: "every table's schema matches the catalog", tables: LAKE_TABLES };
}
