// The fingerprint of a table's schema as the Data Catalog records it: the transform reports
// the one of the Parquet it wrote, the crawl step compares it with the catalog's, and a crawl
// runs only when they differ (functions/core/crawl/crawl-decision.ts).

import { createHash } from "node:crypto";
import type { CatalogColumn } from "../commons/ports";

/** Columns in order, types as Glue spells them (lower case, no spaces): 16 hex digits. */
export function schemaFingerprint(columns: readonly CatalogColumn[]): string {
  const canonical = columns.map(({ name, type }) => [
    name.toLowerCase(),
    type.toLowerCase().replace(/\s+/g, ""),
  ]);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 16);
}
