// Specification of when a run crawls: only when the catalog does not know a table yet or
// knows it with another schema (or the stage crawls every run); otherwise the run's version
// is published directly (test/unit/crawl/publish.test.ts).

import { describe, expect, it } from "vitest";
import { LAKE_TABLES } from "../../../functions/commons/keys";
import { schemaFingerprint } from "../../../functions/core/catalog-schema";
import { decideCrawl, readSchemaFingerprints } from "../../../functions/core/crawl/crawl-decision";
import { MemoryCatalog } from "../../support/memory-catalog";
import {
  catalogColumnsOf,
  tableSchemaFingerprints,
} from "../../../functions/core/transform/schema";

const catalogAsWritten = () =>
  new MemoryCatalog(new Map(LAKE_TABLES.map((table) => [table, catalogColumnsOf(table)])));
const schemas = tableSchemaFingerprints();

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

describe("readSchemaFingerprints", () => {
  it("refuses input without one fingerprint per table, naming the missing ones", () => {
    expect(() => readSchemaFingerprints({ songs_data: "x" })).toThrow(
      /schemas must be the TransformSnapshot state's schema fingerprints.*missing: albums_data, artists_data, playlists_data/,
    );
    expect(readSchemaFingerprints(schemas)).toEqual(schemas);
  });
});
