// The scenario of the kill tests (test/e2e/kill-points.test.ts): an hour published from the
// sample catalogue, then a rerun of the same hour after Spotify changed every table's data,
// killed at one of its writes. What the catalog serves for the hour is read table by table
// and fingerprinted, so a query that reads the old version of one table beside the new
// version of another is seen as a mix.

import { createHash } from "node:crypto";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import { SAMPLE_IDS, generateSampleCatalogue } from "../../local/spotify-emulator/sample-data";
import type { SpotifyCatalogue, SpotifyTrack } from "../../local/spotify-emulator/types";
import { LAKE_TABLES, type LakeTable } from "../../functions/commons/keys";
import { PARTITION, SNAPSHOT, START } from "./e2e-snapshot";

/** Two playlists (one of two pages, one with every quirk), in an extended-quota app. */
export const KILL_PLAYLISTS = [SAMPLE_IDS.twoPagePlaylist, SAMPLE_IDS.quirksPlaylist];
export const KILL_INPUT = { snapshot: SNAPSHOT, playlists: KILL_PLAYLISTS };
export const KILL_START = START;
export const KILL_MODE = "extended" as const;

/** The sample catalogue as Spotify serves it later in the hour: every table's rows differ. */
export function changedCatalogue(): SpotifyCatalogue {
  const changed: SpotifyCatalogue = structuredClone(generateSampleCatalogue());
  const twoPages = changed.playlists.find((p) => p.playlist.id === SAMPLE_IDS.twoPagePlaylist)!;
  twoPages.entries = twoPages.entries.slice(0, -3);
  twoPages.playlist.snapshot_id = `AAAD${twoPages.playlist.snapshot_id.slice(4)}`;
  const quirks = changed.playlists.find((p) => p.playlist.id === SAMPLE_IDS.quirksPlaylist)!;
  quirks.playlist.name = `${quirks.playlist.name} (edited)`;
  const track = twoPages.entries.find((e) => e.item?.type === "track" && !e.is_local)!
    .item as SpotifyTrack;
  track.album.name = `${track.album.name} (Remastered)`;
  const artist = changed.artists.find((a) => a.id === track.artists[0]!.id)!;
  artist.name = `${artist.name} & Friends`;
  return changed;
}

/** Per table, a fingerprint of every row the catalog serves for the hour (undefined: none). */
export async function servedTables(dataDir: string): Promise<Record<LakeTable, string>> {
  const [date, hour] = PARTITION.split("/").map((part) => part.split("=")[1]!);
  const served = {} as Record<LakeTable, string>;
  for (const table of LAKE_TABLES) {
    const { rows } = await runSql(
      localPaths(dataDir).catalog,
      `SELECT * FROM ${table} WHERE snapshot_date = '${date}' AND snapshot_hour = '${hour}' ORDER BY ALL`,
    );
    served[table] = createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16);
  }
  return served;
}
