// What the Map of ExtractPlaylist iterations produced, read back by ExtractArtists: which
// playlists were extracted, which Spotify would not give us (and why), and the summary that
// decides whether the run may go on to the transform.

import { InvalidInputError, lambdaErrorMessage } from "../../commons/errors";
import { rawKeys } from "../../commons/keys";
import type { ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import { isSpotifyId } from "../../commons/snapshot";
import type { ArtistsExtraction } from "./extract-artists";

/** One Map result: an extracted playlist, or one Spotify would not give us. */
export type PlaylistOutcome =
  | { playlistId: string; available: true; entryCount: number }
  | { playlistId: string; available: false; cause?: string };

export interface ExtractionSummary {
  playlists: number;
  entries: number;
  artists: number;
  missingArtists: number;
  unavailablePlaylistCount: number;
  /** Human-readable, for the Fail state's Cause: "reason; reason", each naming its playlist. */
  unavailablePlaylists: string;
  /** Set from 30 days before the user's authorization expires (core/spotify/authorization-expiry.ts). */
  authorizationWarning?: string;
}

export function readPlaylistOutcomes(value: unknown): PlaylistOutcome[] {
  if (!Array.isArray(value)) throw new InvalidInputError("playlists", "must be an array");
  return value.map((o: unknown, i) => {
    const outcome = o as Partial<Record<string, unknown>> | null;
    if (!outcome || !isSpotifyId(outcome.playlistId) || typeof outcome.available !== "boolean") {
      throw new InvalidInputError(`playlists[${i}]`, "is not an extraction result");
    }
    if (outcome.available && !Number.isInteger(outcome.entryCount)) {
      throw new InvalidInputError(`playlists[${i}].entryCount`, "must be a count");
    }
    return outcome as PlaylistOutcome;
  });
}

/**
 * The playlists whose artists the snapshot needs: those extracted now, plus unavailable ones
 * whose complete extraction an earlier run of this hour left (it is kept, so a later
 * reprocess of the whole hour must still find their artists).
 */
export async function playlistsNeedingArtists(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
  outcomes: readonly PlaylistOutcome[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const outcome of outcomes) {
    const keptEarlier =
      !outcome.available &&
      (await rawStore.list(rawKeys.playlistManifest(snapshot, outcome.playlistId))).length > 0;
    if (outcome.available || keptEarlier) ids.push(outcome.playlistId);
  }
  return ids;
}

export function summarizeExtraction(
  outcomes: readonly PlaylistOutcome[],
  artists: ArtistsExtraction,
): ExtractionSummary {
  let entries = 0;
  const unavailable: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.available) {
      entries += outcome.entryCount;
      continue;
    }
    const reason = lambdaErrorMessage(outcome.cause) || "unavailable";
    unavailable.push(
      reason.includes(outcome.playlistId) ? reason : `${outcome.playlistId}: ${reason}`,
    );
  }
  return {
    playlists: outcomes.length - unavailable.length,
    entries,
    artists: artists.artistCount,
    missingArtists: artists.missingArtistCount,
    unavailablePlaylistCount: unavailable.length,
    unavailablePlaylists: unavailable.join("; "),
  };
}
