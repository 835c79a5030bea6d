// Turns an execution's input into the run every later step works on: the snapshot hour,
// the playlists and the mode. Nothing is written before this passes, and no value reaches a
// storage key without going through here.

import type { UnavailablePlaylistsPolicy } from "../commons/config";
import { InvalidInputError } from "../commons/errors";
import type { ObjectStore } from "../commons/ports";
import type { SnapshotHour } from "../commons/snapshot";
import {
  isSpotifyId,
  parseSnapshotHour,
  snapshotHourFromIso,
  snapshotHourOf,
} from "../commons/snapshot";
import type { PlaylistItemsRef } from "./playlist-items";
import { storePlaylistItems } from "./playlist-items";

export const RUN_MODES = ["full", "reprocess"] as const;
export type RunMode = (typeof RUN_MODES)[number];

export { UNAVAILABLE_PLAYLISTS_POLICIES } from "../commons/config";
export type { UnavailablePlaylistsPolicy } from "../commons/config";

/**
 * What one hourly run extracts at most: the list travels as an object (playlist-items.ts),
 * the Distributed Map's children have histories of their own, and only keys and counts come
 * back, so the bound is Spotify's hour and the Map's items, not the state's 256 KB.
 */
export const MAX_PLAYLISTS_PER_RUN = 10_000;
/**
 * How far a snapshot may lie after the execution's start: the scheduler's scheduled time and
 * Step Functions' start time come from different clocks, and an hourly run must not fail
 * because one ran a little ahead.
 */
const CLOCK_SKEW_MS = 60_000;
/** Spotify launched in October 2008; an earlier snapshot is a typo. */
const EARLIEST_SNAPSHOT = Date.UTC(2008, 0, 1);

/** The run as the execution's input asks for it, its playlist list checked. */
export interface PreparedRun {
  snapshot: string;
  snapshotDate: string;
  snapshotHour: string;
  playlists: string[];
  mode: RunMode;
  executionId: string;
  unavailablePlaylists: UnavailablePlaylistsPolicy;
}

/** How the Distributed Map extracts: a stage's settings, carried on `run` for its paths. */
export interface ExtractSettings {
  /** Child executions at once (MaxConcurrencyPath): Spotify's rolling window, default 4. */
  extractConcurrency: number;
  /** Playlists per child execution and Lambda call (MaxItemsPerBatchPath), default 25. */
  extractBatchSize: number;
}

export const DEFAULT_EXTRACT_SETTINGS: ExtractSettings = {
  extractConcurrency: 4,
  extractBatchSize: 25,
};

/**
 * What every step after PrepareRun receives as `run`: the list itself is in the raw bucket
 * (`playlistItems`), so `run` stays a few hundred bytes however many playlists there are.
 */
export type Run = Omit<PreparedRun, "playlists"> &
  ExtractSettings & { playlistItems: PlaylistItemsRef };

/** Stores the run's list as the Map's items object and returns the `run` the steps get. */
export async function startRun(
  rawStore: ObjectStore,
  prepared: PreparedRun,
  settings: ExtractSettings = DEFAULT_EXTRACT_SETTINGS,
): Promise<Run> {
  const { playlists, ...rest } = prepared;
  const playlistItems = await storePlaylistItems(
    rawStore,
    snapshotHourFromIso(prepared.snapshot),
    playlists,
  );
  return { ...rest, ...settings, playlistItems };
}

export interface ExecutionInfo {
  id: string;
  startTime: string;
}

const ALLOWED_FIELDS = new Set(["snapshot", "playlists", "mode"]);

export function prepareRun(
  input: unknown,
  execution: ExecutionInfo,
  defaultPlaylists: readonly string[],
  unavailablePlaylists: UnavailablePlaylistsPolicy = "fail",
  /** Where the default list came from, named in its errors. */
  defaultsSource = "PLAYLIST_IDS",
): PreparedRun {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidInputError("input", "must be a JSON object");
  }
  const fields = input as Record<string, unknown>;
  for (const field of Object.keys(fields).sort()) {
    if (!ALLOWED_FIELDS.has(field)) {
      throw new InvalidInputError(
        JSON.stringify(field.slice(0, 40)),
        "is not a known field (expected snapshot, playlists, mode)",
      );
    }
  }

  const started = new Date(execution.startTime);
  if (Number.isNaN(started.getTime())) {
    throw new InvalidInputError("execution.startTime", "is not a time");
  }
  const snapshot = resolveSnapshot(fields.snapshot, started);
  const playlists =
    fields.playlists === undefined
      ? validatePlaylists(defaultPlaylists, `${defaultsSource} (configured default playlists)`)
      : validatePlaylists(fields.playlists, "playlists");
  const mode = fields.mode === undefined ? "full" : validateMode(fields.mode);

  return {
    snapshot: snapshot.iso,
    snapshotDate: snapshot.date,
    snapshotHour: snapshot.hour,
    playlists,
    mode,
    executionId: execution.id,
    unavailablePlaylists,
  };
}

function resolveSnapshot(value: unknown, started: Date): SnapshotHour {
  const latest = snapshotHourOf(started);
  if (value === undefined) return latest;
  const snapshot = parseSnapshotHour(value, "snapshot");
  // The time as given, not its hour: 05:40 asked for at 05:10 is in the future too.
  const given = new Date(value as string).getTime();
  if (given > started.getTime() + CLOCK_SKEW_MS) {
    throw new InvalidInputError(
      "snapshot",
      `is in the future (${String(value)}, after the execution's start ${started.toISOString()}); ` +
        `the latest snapshot this execution can take is ${latest.iso}`,
    );
  }
  if (Date.parse(snapshot.iso) < EARLIEST_SNAPSHOT) {
    throw new InvalidInputError("snapshot", `is before Spotify existed (${snapshot.iso})`);
  }
  return snapshot;
}

function validatePlaylists(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidInputError(field, "must be an array of Spotify playlist ids");
  }
  if (value.length === 0) throw new InvalidInputError(field, "must name at least one playlist");
  if (value.length > MAX_PLAYLISTS_PER_RUN) {
    throw new InvalidInputError(
      field,
      `has ${value.length} playlists; at most ${MAX_PLAYLISTS_PER_RUN} per run`,
    );
  }
  const seen = new Set<string>();
  value.forEach((id: unknown, index) => {
    if (!isSpotifyId(id)) {
      const shown = typeof id === "string" ? JSON.stringify(id.slice(0, 40)) : typeof id;
      throw new InvalidInputError(
        `${field}[${index}]`,
        `must be a Spotify id (22 letters and digits), got ${shown}`,
      );
    }
    if (seen.has(id)) throw new InvalidInputError(`${field}[${index}]`, `repeats ${id}`);
    seen.add(id);
  });
  return [...value] as string[];
}

function validateMode(value: unknown): RunMode {
  if (typeof value === "string" && (RUN_MODES as readonly string[]).includes(value)) {
    return value as RunMode;
  }
  throw new InvalidInputError(
    "mode",
    `must be one of ${RUN_MODES.join(", ")}, got ${JSON.stringify(value)}`,
  );
}
