// Saved Athena queries created in the workgroup: the two classic questions and the SQL of
// every validation check (the same text validate-snapshot runs, with `?` for the partition).

import { createViewStatement, HISTORY_VIEWS } from "../functions/core/history/views";
import { parameterizedCheckQueries } from "../functions/core/validate/checks";

export interface NamedQuerySpec {
  /** Unique within the workgroup, kebab-case. */
  readonly name: string;
  readonly description: string;
  readonly query: string;
}

/** The two classic questions asked of the lake. */
export const CLASSIC_NAMED_QUERIES: readonly NamedQuerySpec[] = [
  {
    name: "artists-popularity-over-80",
    description: "Artists whose Spotify popularity is above 80.",
    query: "SELECT * FROM artists_data WHERE popularity > 80;",
  },
  {
    name: "songs-per-album",
    description: "Number of songs of each album across the snapshots.",
    query: "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name;",
  },
];

/** The validation checks, to rerun one by hand on a snapshot that failed validation. */
export const CHECK_NAMED_QUERIES: readonly NamedQuerySpec[] = parameterizedCheckQueries().map(
  ({ name, sql }) => ({
    name: `check-${name.replaceAll("_", "-")}`,
    description: `Validation check ${name}; asks for snapshot_date (YYYY-MM-DD) and snapshot_hour (HH).`,
    query: sql,
  }),
);

/** The chart views' DDL (they are provisioned in Glue: infra/constructs/history-views.ts). */
export const VIEW_NAMED_QUERIES: readonly NamedQuerySpec[] = HISTORY_VIEWS.map((view) => ({
  name: `view-${view.name.replaceAll("_", "-")}`,
  description: `Re-creates the view ${view.name}: ${view.description}`,
  query: `${createViewStatement(view)};`,
}));

export const PIPELINE_NAMED_QUERIES: readonly NamedQuerySpec[] = [
  ...CLASSIC_NAMED_QUERIES,
  ...CHECK_NAMED_QUERIES,
  ...VIEW_NAMED_QUERIES,
];
