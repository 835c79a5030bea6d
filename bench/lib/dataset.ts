// Benchmark datasets: the emulator's deterministic sample catalogue, sized by entry count or
// by a multiple of the sample, and turned into a raw layer by the real extractor talking to
// the real emulator over HTTP. The transform benchmarks then read exactly the bytes (and the
// manifests) a pipeline run would have stored.

import { MAX_PLAYLISTS_PER_RUN } from "../../functions/core/prepare-run";
import { extractArtists } from "../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../functions/core/extract/extract-playlist";
import { SpotifyClient } from "../../functions/core/spotify/client";
import type { ConditionalObjectStore } from "../../functions/commons/ports";
import { parseSnapshotHour, type SnapshotHour } from "../../functions/commons/snapshot";
import {
  generateSampleCatalogue,
  SAMPLE_PLAYLISTS_PER_SCALE,
  sampleUser,
} from "../../local/spotify-emulator/sample-data";
import { catalogueAt } from "../../local/spotify-emulator/evolution";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import type { CataloguePlaylist, SpotifyCatalogue } from "../../local/spotify-emulator/types";

/** Every benchmark works on this snapshot hour, so raw keys are the same from run to run. */
export const BENCH_SNAPSHOT: SnapshotHour = parseSnapshotHour("2026-11-21T17:00:00Z");

/** Entries in one unit of the sample's scale (scale 1 = the 24-playlist default sample). */
export function sampleEntriesPerScale(): number {
  return generateSampleCatalogue({ scale: 1 }).playlists.reduce((n, p) => n + p.entries.length, 0);
}

/**
 * A run may name at most MAX_PLAYLISTS_PER_RUN playlists (prepare-run refuses more), so a
 * larger catalogue is folded: consecutive playlists are merged into one (the first one's
 * metadata, all their entries in order) until at most that many remain. The entry count and
 * content are unchanged; playlists simply get longer, as real large snapshots have them.
 */
export function foldPlaylists(
  playlists: readonly CataloguePlaylist[],
  maxPlaylists = MAX_PLAYLISTS_PER_RUN,
): CataloguePlaylist[] {
  const factor = Math.ceil(playlists.length / maxPlaylists);
  if (factor <= 1) return [...playlists];
  const folded: CataloguePlaylist[] = [];
  for (let start = 0; start < playlists.length; start += factor) {
    const group = playlists.slice(start, start + factor);
    folded.push({ playlist: group[0]!.playlist, entries: group.flatMap((p) => p.entries) });
  }
  return folded;
}

/**
 * The benchmarks extract as a development-mode app authorized by the sample user, who may
 * read only their own playlists' items: every benchmark playlist is made theirs, so the
 * sample's playlists of other owners are measured too instead of answering 403. Entries and
 * request counts are those of the sample; only `owner` changes.
 */
function asSampleUsersLibrary(catalogue: SpotifyCatalogue): SpotifyCatalogue {
  const { followers: _followers, images: _images, ...owner } = sampleUser();
  return {
    ...catalogue,
    playlists: catalogue.playlists.map((p) => ({ ...p, playlist: { ...p.playlist, owner } })),
  };
}

/**
 * The sample at `multiple` times its size (scale = multiple), folded to fit one run; with
 * `hour`, as it stands at that snapshot hour (the sample evolves, see evolution.ts).
 */
export function sampleMultipleCatalogue(multiple: number, hour?: string): SpotifyCatalogue {
  const generated = generateSampleCatalogue({ scale: multiple });
  const catalogue = hour ? catalogueAt(generated, { hour }) : generated;
  return asSampleUsersLibrary({ ...catalogue, playlists: foldPlaylists(catalogue.playlists) });
}

/**
 * The sample with exactly `playlists` playlists, unfolded (at most MAX_PLAYLISTS_PER_RUN):
 * the smallest scale that has that many, the last ones cut off.
 */
export function catalogueOfPlaylists(playlists: number): SpotifyCatalogue {
  if (!Number.isInteger(playlists) || playlists < 1 || playlists > MAX_PLAYLISTS_PER_RUN) {
    throw new RangeError(`playlists must be 1 to ${MAX_PLAYLISTS_PER_RUN}, got ${playlists}`);
  }
  const scale = Math.ceil(playlists / SAMPLE_PLAYLISTS_PER_SCALE);
  const catalogue = generateSampleCatalogue({ scale });
  return asSampleUsersLibrary({ ...catalogue, playlists: catalogue.playlists.slice(0, playlists) });
}

/**
 * A catalogue with exactly `entries` playlist entries: the sample at the smallest scale that
 * has that many, folded to fit one run, with the last entries cut off.
 */
export function catalogueWithEntries(entries: number): SpotifyCatalogue {
  if (!Number.isInteger(entries) || entries < 1) {
    throw new RangeError(`entries must be a positive integer, got ${entries}`);
  }
  const scale = Math.ceil(entries / sampleEntriesPerScale());
  const catalogue = generateSampleCatalogue({ scale });
  const playlists: CataloguePlaylist[] = [];
  let remaining = entries;
  for (const p of foldPlaylists(catalogue.playlists)) {
    if (remaining === 0) break;
    const kept = p.entries.length <= remaining ? p.entries : p.entries.slice(0, remaining);
    playlists.push({ playlist: p.playlist, entries: kept });
    remaining -= kept.length;
  }
  if (remaining > 0) throw new Error(`scale ${scale} holds fewer than ${entries} entries`);
  return asSampleUsersLibrary({ ...catalogue, playlists });
}

export interface RawSnapshot {
  playlistIds: string[];
  entries: number;
  /** HTTP requests the extraction made (token included). */
  requests: number;
  extractMs: number;
}

/**
 * Extracts `catalogue` from a fresh emulator into `rawStore` with the pipeline's own
 * extractor (development mode, `concurrency` playlists at a time), then its artists.
 */
export async function extractCatalogue(
  catalogue: SpotifyCatalogue,
  rawStore: ConditionalObjectStore,
  options: { concurrency?: number; latencyMs?: number; snapshot?: SnapshotHour } = {},
): Promise<RawSnapshot & { emulatorRequests: number }> {
  const snapshot = options.snapshot ?? BENCH_SNAPSHOT;
  const emulator = await startSpotifyEmulator({
    catalogue,
    // Links as real Spotify writes them: the stored bytes do not depend on the port.
    pagingBaseUrl: "https://api.spotify.com/v1",
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
  });
  try {
    const spotify = new SpotifyClient({
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      credentials: emulator.credentials,
    });
    const playlistIds = catalogue.playlists.map((p) => p.playlist.id);
    const started = performance.now();
    let entries = 0;
    await forEachBounded(playlistIds, options.concurrency ?? 4, async (playlistId) => {
      const result = await extractPlaylist({ spotify, rawStore, snapshot, playlistId });
      entries += result.entryCount;
    });
    await extractArtists({ spotify, rawStore, snapshot, playlistIds });
    return {
      playlistIds,
      entries,
      requests: spotify.requestCount,
      emulatorRequests: emulator.requestLog.length,
      extractMs: performance.now() - started,
    };
  } finally {
    await emulator.close();
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, in order, as a Map state does. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Playlists per unit of scale, re-exported for the report's description of the data. */
export { SAMPLE_PLAYLISTS_PER_SCALE };
