// The version of a snapshot's lake data: the first 16 hex digits of SHA-256 over every
// table's encoded Parquet parts in table order (and the quarantine file), so the same raw
// input always gives the same version, the same keys and the same bytes, and a rerun rewrites
// identical objects instead of adding a second copy. Each part is framed by its table, index
// and length, so no two different sets of parts can hash the same by shifting bytes.

import { createHash } from "node:crypto";
import { LAKE_TABLES, type LakeTable } from "../../commons/keys";

export function lakeVersion(
  parts: Readonly<Record<LakeTable, readonly Uint8Array[]>>,
  quarantine: string | undefined,
): string {
  const hash = createHash("sha256");
  for (const table of LAKE_TABLES) {
    for (const [index, body] of parts[table].entries()) {
      hash.update(`${table}\0${index}\0${body.byteLength}\0`);
      hash.update(body);
    }
  }
  if (quarantine !== undefined)
    hash.update(`quarantine\0${Buffer.byteLength(quarantine)}\0${quarantine}`);
  return hash.digest("hex").slice(0, 16);
}
