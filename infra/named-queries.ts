// Saved Athena queries created in the workgroup. Add more (e.g. the validation checks'
// SQL) by passing them to CatalogAndQuery's `namedQueries`, or by appending here.

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
