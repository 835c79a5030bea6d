// The snapshot the end-to-end runs extract and the playlists most of them ask for, so every
// full run (and every key it writes) is of the same hour.

import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";

/** The snapshot hour the end-to-end runs extract, and the executions' start within it. */
export const SNAPSHOT = "2026-11-21T17:00:00Z";
export const START = new Date("2026-11-21T17:04:31Z");
/** That snapshot's partition, as raw and lake keys name it. */
export const PARTITION = "snapshot_date=2026-11-21/snapshot_hour=17";

/**
 * Six sample playlists (more than the Map's MaxConcurrency of 4) that cover multi-page paging,
 * an empty playlist, a single entry and every kind of skipped entry; small enough for ~20 runs.
 */
export const SIX_PLAYLISTS = [
  SAMPLE_IDS.multiPagePlaylist,
  SAMPLE_IDS.twoPagePlaylist,
  SAMPLE_IDS.emptyPlaylist,
  SAMPLE_IDS.singleEntryPlaylist,
  SAMPLE_IDS.quirksPlaylist,
  SAMPLE_IDS.podcastPlaylist,
];
