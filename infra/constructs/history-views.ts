// The chart views (functions/core/history/views.ts) as Athena views in the stage's Glue
// database, provisioned by Terraform rather than created by a pipeline step: they exist from
// the first deploy (before any run), change only with a deploy of new SQL, need no DDL
// permission for any Lambda and no extra state, and are destroyed with the stage. An Athena
// view in Glue is a VIRTUAL_VIEW table whose original text is the "Presto view" that Athena's
// CREATE VIEW itself writes: the SELECT, the default catalog and schema, and the output
// columns with their Trino types, base64-encoded in a comment. Athena checks those columns
// against the SELECT when the view is queried (a mismatch reads "view is stale"); the views'
// test checks the declared types against what DuckDB computes. The same views are also saved
// as named queries (infra/named-queries.ts) to re-create them by hand with CREATE OR REPLACE.

import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { Construct } from "constructs";
import type { HistoryView, HistoryViewColumn } from "../../functions/core/history/views";
import { HISTORY_VIEWS } from "../../functions/core/history/views";
import type { CatalogAndQuery } from "./catalog-and-query";

/** Trino's name for each Glue type the views use. */
const TRINO_TYPES: Record<HistoryViewColumn["type"], string> = {
  string: "varchar",
  int: "integer",
  bigint: "bigint",
  double: "double",
};

/** Glue's catalog as Athena names it in a view's default catalog. */
const ATHENA_CATALOG = "awsdatacatalog";

/** The view's text as Athena stores it in Glue: `/* Presto View: <base64 JSON> *\/`. */
export function prestoViewText(view: HistoryView, databaseName: string): string {
  const definition = {
    originalSql: view.sql,
    catalog: ATHENA_CATALOG,
    schema: databaseName,
    columns: view.columns.map((c) => ({ name: c.name, type: TRINO_TYPES[c.type] })),
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString("base64")} */`;
}

export interface HistoryViewsProps {
  readonly catalog: Pick<CatalogAndQuery, "database" | "databaseName">;
}

export class HistoryViews extends Construct {
  readonly views: readonly GlueCatalogTable[];

  constructor(scope: Construct, id: string, props: HistoryViewsProps) {
    super(scope, id);
    const { database, databaseName } = props.catalog;
    this.views = HISTORY_VIEWS.map(
      (view) =>
        new GlueCatalogTable(this, view.name, {
          name: view.name,
          databaseName: database.name,
          description: view.description,
          tableType: "VIRTUAL_VIEW",
          viewOriginalText: prestoViewText(view, databaseName),
          viewExpandedText: "/* Presto View */",
          parameters: { presto_view: "true", comment: "Presto View" },
          storageDescriptor: {
            columns: view.columns.map(({ name, type, comment }) => ({ name, type, comment })),
          },
        }),
    );
  }
}
