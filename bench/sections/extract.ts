// Section 3: extraction efficiency against the emulator with a fixed per-request latency.
// Playlists are extracted as the state machine does it (the Map's MaxConcurrency at a time,
// read from the ASL file), then the artists step; one Spotify client, as in a warm Lambda.
// Requests are compared with the fewest the data allows, wall time with the lower bound that
// the latency and the allowed concurrency set.

import { readFileSync } from "node:fs";
import { extractArtists } from "../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../functions/core/extract/extract-playlist";
import { ARTISTS_BATCH_SIZE } from "../../functions/core/spotify/artist-lookup";
import { SpotifyClient } from "../../functions/core/spotify/client";
import { ITEMS_PAGE_LIMIT } from "../../functions/core/spotify/items-pager";
import { catalogueStats } from "../../local/spotify-emulator/sample-data";
import { startSpotifyEmulator, type SpotifyAppMode } from "../../local/spotify-emulator/server";
import type { SpotifyCatalogue } from "../../local/spotify-emulator/types";
import type { ConditionalObjectStore } from "../../functions/commons/ports";
import type { SnapshotHour } from "../../functions/commons/snapshot";
import { PIPELINE_DEFINITION_FILE } from "../../statemachine/pipeline";
import { BENCH_SNAPSHOT, forEachBounded, sampleMultipleCatalogue } from "../lib/dataset";
import { MemoryObjectStore } from "../lib/memory-store";
import { round } from "../lib/stats";
import { DEFAULT_EXTRACT_SETTINGS } from "../../functions/core/prepare-run";

/** The artist concurrency the Lambdas' clients use (SpotifyClient's default). */
export const ARTIST_CONCURRENCY = 4;

export const EXTRACT_TARGETS = { maxExtraRequests: 0, maxWallOverLowerBound: 1.5 };

/**
 * How many children of the Map state that runs the playlist extraction run at once: its
 * MaxConcurrency, or, for the Distributed Map's MaxConcurrencyPath into `run`, the stage
 * setting's default (PrepareRun's EXTRACT_CONCURRENCY).
 */
export function mapMaxConcurrency(): number {
  const definition = JSON.parse(readFileSync(PIPELINE_DEFINITION_FILE, "utf8")) as {
    States: Record<string, { Type: string; MaxConcurrency?: number; MaxConcurrencyPath?: string }>;
  };
  const maps = Object.values(definition.States).filter((s) => s.Type === "Map");
  const value =
    maps[0]?.MaxConcurrencyPath === "$.run.extractConcurrency"
      ? DEFAULT_EXTRACT_SETTINGS.extractConcurrency
      : maps[0]?.MaxConcurrency;
  if (maps.length !== 1 || !Number.isInteger(value) || value! < 1) {
    throw new Error("expected one Map state with a MaxConcurrency(Path) in pipeline.asl.json");
  }
  return value!;
}

export interface ExtractModeResult {
  mode: SpotifyAppMode;
  playlists: number;
  entries: number;
  artists: number;
  requests: {
    made: number;
    minimum: number;
    extra: number;
    byKind: { token: number; playlist: number; items: number; artists: number; other: number };
    minimumByKind: { token: number; playlist: number; items: number; artists: number };
  };
  wallMs: number;
  lowerBoundMs: number;
  wallOverLowerBound: number;
}

export interface ExtractResult {
  latencyMs: number;
  sampleMultiple: number;
  mapConcurrency: number;
  artistConcurrency: number;
  modes: ExtractModeResult[];
}

/**
 * The fewest requests and the least time this data allows. Each playlist needs its metadata,
 * which embeds the first page of entries, and then its other pages one after another (each
 * page names the next): a chain of max(1, pages) requests. With `lanes` playlists at a time the Map phase takes at least the longest chain
 * and at least the total divided by the lanes; the artists step starts after it.
 */
export function extractLowerBound(
  catalogue: SpotifyCatalogue,
  mode: SpotifyAppMode,
  lanes: number,
  latencyMs: number,
) {
  const chains = catalogue.playlists.map((p) =>
    Math.max(1, Math.ceil(p.entries.length / ITEMS_PAGE_LIMIT)),
  );
  const artists = catalogueStats(catalogue).distinctArtists;
  const artistRequests = mode === "extended" ? Math.ceil(artists / ARTISTS_BATCH_SIZE) : artists;
  // Batches are fetched one after another; single artists ARTIST_CONCURRENCY at a time.
  const artistRounds =
    mode === "extended" ? artistRequests : Math.ceil(artists / ARTIST_CONCURRENCY);
  const total = chains.reduce((a, b) => a + b, 0);
  const mapRounds = Math.max(Math.max(0, ...chains), Math.ceil(total / lanes));
  return {
    minimumByKind: {
      token: 1,
      playlist: catalogue.playlists.length,
      items: total - catalogue.playlists.length,
      artists: artistRequests,
    },
    minimum: 1 + total + artistRequests,
    lowerBoundMs: (1 + mapRounds + artistRounds) * latencyMs,
    artists,
  };
}

export function requestKind(path: string): keyof ExtractModeResult["requests"]["byKind"] {
  if (path === "/api/token") return "token";
  if (/^\/v1\/playlists\/[^/]+$/.test(path)) return "playlist";
  if (/^\/v1\/playlists\/[^/]+\/items$/.test(path)) return "items";
  if (path.startsWith("/v1/artists")) return "artists";
  return "other";
}

/**
 * Extracts `catalogue` into `rawStore` as the state machine does (`lanes` playlists at a time,
 * then the artists step; one client, as in a warm Lambda), against a fresh emulator; returns
 * the emulator's requests by kind and the wall time.
 */
export async function extractWithEmulator(
  catalogue: SpotifyCatalogue,
  options: {
    mode: SpotifyAppMode;
    latencyMs: number;
    lanes: number;
    rawStore: ConditionalObjectStore;
    snapshot: SnapshotHour;
  },
) {
  const { mode, latencyMs, lanes, rawStore, snapshot } = options;
  const emulator = await startSpotifyEmulator({
    catalogue,
    mode,
    latencyMs,
    pagingBaseUrl: "https://api.spotify.com/v1",
  });
  try {
    const spotify = new SpotifyClient({
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      credentials: emulator.credentials,
      artistConcurrency: ARTIST_CONCURRENCY,
      // As the Lambdas are configured (SPOTIFY_APP_MODE): no probe of a missing endpoint.
      appMode: mode,
    });
    const playlistIds = catalogue.playlists.map((p) => p.playlist.id);
    let entries = 0;
    const started = performance.now();
    await forEachBounded(playlistIds, lanes, async (playlistId) => {
      const r = await extractPlaylist({ spotify, rawStore, snapshot, playlistId });
      entries += r.entryCount;
    });
    await extractArtists({ spotify, rawStore, snapshot, playlistIds });
    const wallMs = performance.now() - started;
    const byKind = { token: 0, playlist: 0, items: 0, artists: 0, other: 0 };
    for (const r of emulator.requestLog) byKind[requestKind(r.path)]++;
    return { made: emulator.requestLog.length, byKind, wallMs, entries, playlists: playlistIds };
  } finally {
    await emulator.close();
  }
}

async function extractOnce(
  catalogue: SpotifyCatalogue,
  mode: SpotifyAppMode,
  latencyMs: number,
  lanes: number,
): Promise<ExtractModeResult> {
  const { made, byKind, wallMs, entries, playlists } = await extractWithEmulator(catalogue, {
    mode,
    latencyMs,
    lanes,
    rawStore: new MemoryObjectStore(),
    snapshot: BENCH_SNAPSHOT,
  });
  const bound = extractLowerBound(catalogue, mode, lanes, latencyMs);
  return {
    mode,
    playlists: playlists.length,
    entries,
    artists: bound.artists,
    requests: {
      made,
      minimum: bound.minimum,
      extra: made - bound.minimum,
      byKind,
      minimumByKind: bound.minimumByKind,
    },
    wallMs: Math.round(wallMs),
    lowerBoundMs: bound.lowerBoundMs,
    wallOverLowerBound: round(wallMs / bound.lowerBoundMs, 3),
  };
}

export async function benchExtract(options: {
  sampleMultiple: number;
  latencyMs: number;
  log: (line: string) => void;
}): Promise<ExtractResult> {
  const catalogue = sampleMultipleCatalogue(options.sampleMultiple);
  const lanes = mapMaxConcurrency();
  const modes: ExtractModeResult[] = [];
  for (const mode of ["development", "extended"] as const) {
    options.log(`extract: ${mode} mode, ${catalogue.playlists.length} playlists`);
    modes.push(await extractOnce(catalogue, mode, options.latencyMs, lanes));
  }
  return {
    latencyMs: options.latencyMs,
    sampleMultiple: options.sampleMultiple,
    mapConcurrency: lanes,
    artistConcurrency: ARTIST_CONCURRENCY,
    modes,
  };
}
