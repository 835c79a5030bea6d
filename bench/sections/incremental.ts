// Section 6: consecutive hours over the living sample (local/spotify-emulator/evolution.ts).
// Every hour is extracted twice in the same run, against the emulator serving that hour:
// (a) the full fetch, into an empty raw store (what every hour cost before stored pages and
// artist details), and (b) the incremental extraction, into one raw store kept across the
// hours. Requests are counted per hour against the lower bound the data allows: the token, one
// request per playlist, the further pages of the playlists whose snapshot_id changed since the
// hour before, and the artists that are new or whose details reached the maximum age.

import { DEFAULT_ARTIST_MAX_AGE_HOURS } from "../../functions/core/extract/artist-details";
import { ITEMS_PAGE_LIMIT } from "../../functions/core/spotify/items-pager";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import { DEFAULT_CHANGE_RATE, EVOLUTION_EPOCH } from "../../local/spotify-emulator/evolution";
import type { SpotifyCatalogue } from "../../local/spotify-emulator/types";
import { sampleMultipleCatalogue } from "../lib/dataset";
import { MemoryObjectStore } from "../lib/memory-store";
import { extractWithEmulator, mapMaxConcurrency } from "./extract";

export const INCREMENTAL_TARGETS = { steadyStateOverLowerBound: 1, minFullOverIncremental: 5 };

/** The first hour measured: three weeks into the sample's life, on a day boundary. */
const FIRST_HOUR_MS = Date.parse(EVOLUTION_EPOCH) + 21 * 24 * 3_600_000;

export interface IncrementalHour {
  hour: string;
  changedPlaylists: number;
  full: number;
  incremental: number;
  lowerBound: number;
  /** Incremental requests by kind: token, playlist, items, artists. */
  incrementalByKind: Record<"token" | "playlist" | "items" | "artists" | "other", number>;
  incrementalMs: number;
}

export interface IncrementalResult {
  sampleMultiple: number;
  changeRate: number;
  playlists: number;
  artistMaxAgeHours: number;
  hours: IncrementalHour[];
  totals: { full: number; incremental: number; lowerBound: number };
  fullOverIncremental: number;
  /** Hours after the first in which the incremental extraction made exactly the lower bound. */
  steadyHoursAtLowerBound: number;
}

/** Ids of every artist credited on a track of the catalogue's playlists. */
function artistsOf(catalogue: SpotifyCatalogue): Set<string> {
  const ids = new Set<string>();
  for (const p of catalogue.playlists) {
    for (const e of p.entries) {
      if (e.item?.type !== "track") continue;
      for (const a of e.item.artists) if (a.id) ids.add(a.id);
    }
  }
  return ids;
}

/** Extracts one hour into `rawStore`, as the state machine does, without added latency. */
const extractHour = (catalogue: SpotifyCatalogue, hour: string, rawStore: MemoryObjectStore) =>
  extractWithEmulator(catalogue, {
    mode: "development",
    latencyMs: 0,
    lanes: mapMaxConcurrency(),
    rawStore,
    snapshot: parseSnapshotHour(hour),
  });

export async function benchIncremental(options: {
  sampleMultiple: number;
  hours: number;
  log: (line: string) => void;
}): Promise<IncrementalResult> {
  const maxAge = DEFAULT_ARTIST_MAX_AGE_HOURS;
  const stored = new MemoryObjectStore();
  const lastFetch = new Map<string, number>();
  let previous: Map<string, string> | undefined;
  const hours: IncrementalHour[] = [];
  for (let k = 0; k < options.hours; k++) {
    const hour = new Date(FIRST_HOUR_MS + k * 3_600_000).toISOString();
    const catalogue = sampleMultipleCatalogue(options.sampleMultiple, hour);
    options.log(`incremental: hour ${k + 1}/${options.hours} (${hour})`);

    // The lower bound: what changed since the hour before, and the artists due.
    let pages = 0;
    let changed = 0;
    for (const p of catalogue.playlists) {
      if (previous?.get(p.playlist.id) === p.playlist.snapshot_id) continue;
      changed++;
      pages += Math.max(1, Math.ceil(p.entries.length / ITEMS_PAGE_LIMIT)) - 1;
    }
    let dueArtists = 0;
    for (const id of artistsOf(catalogue)) {
      const last = lastFetch.get(id);
      if (last !== undefined && k - last < maxAge) continue;
      dueArtists++;
      lastFetch.set(id, k);
    }
    previous = new Map(catalogue.playlists.map((p) => [p.playlist.id, p.playlist.snapshot_id]));

    const full = await extractHour(catalogue, hour, new MemoryObjectStore());
    const incremental = await extractHour(catalogue, hour, stored);
    hours.push({
      hour,
      changedPlaylists: changed,
      full: full.made,
      incremental: incremental.made,
      lowerBound: 1 + catalogue.playlists.length + pages + dueArtists,
      incrementalByKind: incremental.byKind,
      incrementalMs: Math.round(incremental.wallMs),
    });
  }
  const sum = (f: (h: IncrementalHour) => number) => hours.reduce((a, h) => a + f(h), 0);
  const totals = {
    full: sum((h) => h.full),
    incremental: sum((h) => h.incremental),
    lowerBound: sum((h) => h.lowerBound),
  };
  return {
    sampleMultiple: options.sampleMultiple,
    changeRate: DEFAULT_CHANGE_RATE,
    playlists: sampleMultipleCatalogue(options.sampleMultiple).playlists.length,
    artistMaxAgeHours: maxAge,
    hours,
    totals,
    fullOverIncremental: Math.round((totals.full / totals.incremental) * 100) / 100,
    steadyHoursAtLowerBound: hours.slice(1).filter((h) => h.incremental === h.lowerBound).length,
  };
}
