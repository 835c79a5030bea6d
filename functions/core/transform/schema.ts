// The lake tables' schemas in the Data Catalog's terms: what a Glue crawler records for the
// Parquet the transform writes (INT32 -> int, INT64 -> bigint, TIMESTAMP_MILLIS -> timestamp,
// a 3-level LIST of UTF8 -> array<string>), and its fingerprint per table.

import { LAKE_TABLES, type LakeTable } from "../../commons/keys";
import type { CatalogColumn } from "../../commons/ports";
import { schemaFingerprint } from "../catalog-schema";
import type { ColumnKind } from "./columns";
import { TABLE_COLUMNS } from "./tables";

const CATALOG_TYPE: Readonly<Record<ColumnKind, string>> = {
  string: "string",
  int32: "int",
  int64: "bigint",
  boolean: "boolean",
  timestamp: "timestamp",
  stringList: "array<string>",
};

export function catalogColumnsOf(table: LakeTable): CatalogColumn[] {
  return TABLE_COLUMNS[table].map((column) => ({
    name: column.name,
    type: CATALOG_TYPE[column.kind],
  }));
}

/** The schema fingerprint of every table the transform writes. */
export function tableSchemaFingerprints(): Record<LakeTable, string> {
  return Object.fromEntries(
    LAKE_TABLES.map((table) => [table, schemaFingerprint(catalogColumnsOf(table))]),
  ) as Record<LakeTable, string>;
}
