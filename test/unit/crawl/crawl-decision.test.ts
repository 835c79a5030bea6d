// Specification of when a run crawls: only when the catalog does not know a table yet or
// knows it with another schema (or the stage crawls every run); otherwise the run's
// partitions are registered directly, and registering them again is not an error.

import { describe, expect, it } from "vitest";
import { LAKE_TABLES } from "../../../functions/commons/keys";
import type { Catalog, CatalogColumn, PartitionValues } from "../../../functions/commons/ports";
import { snapshotHourOf } from "../../../functions/commons/snapshot";
import { schemaFingerprint } from "../../../functions/core/catalog-schema";
import {
  decideCrawl,
  readSchemaFingerprints,
  registerSnapshotPartitions,
} from "../../../functions/core/crawl/crawl-decision";
import {
  catalogColumnsOf,
  tableSchemaFingerprints,
} from "../../../functions/core/transform/schema";

/** A catalog held in memory: tables by name, partitions as `table/date/hour`. */
class MemoryCatalog implements Catalog {
  readonly partitions = new Set<string>();
  constructor(readonly tables: Map<string, CatalogColumn[]>) {}
  async tableColumns(table: string) {
    return this.tables.get(table);
  }
  async addPartitions(table: string, partitions: readonly PartitionValues[]) {
    let added = 0;
    for (const { date, hour } of partitions) {
      const key = `${table}/${date}/${hour}`;
      if (!this.partitions.has(key)) added++;
      this.partitions.add(key);
    }
    return { added, existing: partitions.length - added };
  }
}

const catalogAsWritten = () =>
  new MemoryCatalog(new Map(LAKE_TABLES.map((table) => [table, catalogColumnsOf(table)])));
const schemas = tableSchemaFingerprints();
const snapshot = snapshotHourOf(new Date("2026-11-22T05:00:00Z"));

describe("decideCrawl", () => {
  it("registers partitions without a crawl when every table's schema matches", async () => {
    expect(await decideCrawl(catalogAsWritten(), "on-schema-change", schemas)).toEqual({
      crawl: false,
      reason: "every table's schema matches the catalog",
      tables: LAKE_TABLES,
    });
  });

  it("crawls when a table is not in the catalog yet", async () => {
    const catalog = catalogAsWritten();
    catalog.tables.delete("albums_data");
    expect(await decideCrawl(catalog, "on-schema-change", schemas)).toEqual({
      crawl: true,
      reason: "albums_data is not in the catalog yet",
    });
  });

  it("crawls when the catalog's schema differs (a column added, renamed or retyped)", async () => {
    const songs = catalogColumnsOf("songs_data");
    for (const changed of [
      [...songs, { name: "new_column", type: "string" }],
      songs.map((c) => (c.name === "isrc" ? { ...c, name: "isrc_code" } : c)),
      songs.map((c) => (c.name === "position" ? { ...c, type: "bigint" } : c)),
    ]) {
      const catalog = catalogAsWritten();
      catalog.tables.set("songs_data", changed);
      expect(await decideCrawl(catalog, "on-schema-change", schemas)).toMatchObject({
        crawl: true,
        reason: "songs_data's schema differs from the catalog's",
      });
    }
  });

  it("reads types the way Glue spells them, whatever the case or spacing", () => {
    expect(schemaFingerprint([{ name: "Genres", type: "ARRAY< STRING >" }])).toBe(
      schemaFingerprint([{ name: "genres", type: "array<string>" }]),
    );
  });

  it("always crawls with policy every-run", async () => {
    expect(await decideCrawl(catalogAsWritten(), "every-run", schemas)).toMatchObject({
      crawl: true,
    });
  });
});

describe("registerSnapshotPartitions", () => {
  it("adds the hour's partition of each table once; a rerun finds them all existing", async () => {
    const catalog = catalogAsWritten();
    expect(await registerSnapshotPartitions(catalog, LAKE_TABLES, snapshot)).toEqual({
      added: 4,
      existing: 0,
    });
    expect(await registerSnapshotPartitions(catalog, LAKE_TABLES, snapshot)).toEqual({
      added: 0,
      existing: 4,
    });
    expect([...catalog.partitions]).toContain("songs_data/2026-11-22/05");
  });
});

describe("readSchemaFingerprints", () => {
  it("refuses input without one fingerprint per table, naming the missing ones", () => {
    expect(() => readSchemaFingerprints({ songs_data: "x" })).toThrow(
      /schemas must be the TransformSnapshot state's schema fingerprints.*missing: albums_data, artists_data, playlists_data/,
    );
    expect(readSchemaFingerprints(schemas)).toEqual(schemas);
  });
});
