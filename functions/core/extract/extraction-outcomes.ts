// What the Map of ExtractPlaylist iterations produced, read back by ExtractArtists: which
// playlists were extracted and which Spotify refused (each one's status and message are in
// its raw manifest, not here), and the summary of the extraction. Only ids and counts travel
// through the execution state, so it stays small whatever the number of refused playlists.

import { InvalidInputError } from "../../commons/errors";
import { isSpotifyId } from "../../commons/snapshot";
import type { ArtistsExtraction } from "./extract-artists";

/** One Map result: an extracted playlist, or one Spotify refused (recorded as unavailable). */
export type PlaylistOutcome =
  | { playlistId: string; available: true; entryCount: number }
  | { playlistId: string; available: false };

export interface ExtractionSummary {
  playlists: number;
  entries: number;
  artists: number;
  missingArtists: number;
  /** Playlists Spotify refused; playlists_data has their status and reason. */
  unavailablePlaylistCount: number;
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

export function summarizeExtraction(
  outcomes: readonly PlaylistOutcome[],
  artists: ArtistsExtraction,
): ExtractionSummary {
  let entries = 0;
  let unavailable = 0;
  for (const outcome of outcomes) {
    if (outcome.available) entries += outcome.entryCount;
    else unavailable += 1;
  }
  return {
    playlists: outcomes.length - unavailable,
    entries,
    artists: artists.artistCount,
    missingArtists: artists.missingArtistCount,
    unavailablePlaylistCount: unavailable,
  };
}
