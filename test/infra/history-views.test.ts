// The chart views in AWS: one Athena view per view in the Glue database, stored the way
// Athena's own CREATE VIEW stores it, and one saved query per view to re-create it by hand.

import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { Testing, TerraformStack } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { HISTORY_VIEWS } from "../../functions/core/history/views";
import { HistoryViews } from "../../infra/constructs/history-views";
import { VIEW_NAMED_QUERIES } from "../../infra/named-queries";
import { scratchFolder } from "./synth-support";

const scratch = scratchFolder("history-views");
afterAll(() => scratch.cleanup());

function synthViews() {
  const stack = new TerraformStack(Testing.app(), "views");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const database = new GlueCatalogDatabase(stack, "database", { name: "spotify_lake_test" });
  new HistoryViews(stack, "history_views", {
    catalog: { database, databaseName: "spotify_lake_test" },
  });
  const synth = JSON.parse(Testing.synth(stack)) as {
    resource: { aws_glue_catalog_table: Record<string, Record<string, unknown>> };
  };
  return Object.values(synth.resource.aws_glue_catalog_table);
}

describe("chart views in the Glue database", () => {
  const tables = synthViews();

  it("provisions each view as an Athena (Presto) view in the stage's database", () => {
    expect(tables.map((t) => t.name).sort()).toEqual(HISTORY_VIEWS.map((v) => v.name).sort());
    for (const table of tables) {
      expect(table).toMatchObject({
        database_name: "${aws_glue_catalog_database.database.name}",
        table_type: "VIRTUAL_VIEW",
        view_expanded_text: "/* Presto View */",
        parameters: { presto_view: "true", comment: "Presto View" },
      });
    }
  });

  it.each(HISTORY_VIEWS)("$name stores its SQL and Trino-typed columns", (view) => {
    const table = tables.find((t) => t.name === view.name)!;
    const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(
      String(table.view_original_text),
    );
    expect(match).not.toBeNull();
    const stored = JSON.parse(Buffer.from(match![1]!, "base64").toString("utf8"));
    expect(stored).toEqual({
      originalSql: view.sql,
      catalog: "awsdatacatalog",
      schema: "spotify_lake_test",
      columns: view.columns.map((c) => ({
        name: c.name,
        type: { string: "varchar", int: "integer", bigint: "bigint", double: "double" }[c.type],
      })),
    });
    const columns = (table.storage_descriptor as { columns: unknown[] }).columns;
    expect(columns).toEqual(
      view.columns.map(({ name, type, comment }) => ({ name, type, comment })),
    );
  });

  it("saves each view's CREATE OR REPLACE VIEW as a named query", () => {
    expect(VIEW_NAMED_QUERIES.map((q) => q.name)).toEqual([
      "view-playlist-snapshots",
      "view-playlist-positions",
      "view-playlist-changes",
      "view-song-playlist-runs",
      "view-playlist-daily",
    ]);
    for (const [i, query] of VIEW_NAMED_QUERIES.entries()) {
      expect(query.query).toBe(
        `CREATE OR REPLACE VIEW ${HISTORY_VIEWS[i]!.name} AS\n${HISTORY_VIEWS[i]!.sql};`,
      );
    }
  });
});
