// What the Distributed Map's children extracted, as ExtractArtists reads it back from the
// playlists' raw manifests (not from the Map's results, which never enter the state): which
// playlists were extracted and which Spotify refused (each one's status and message are in
// its raw manifest), and the summary of the extraction: counts only.

import type { ArtistsExtraction } from "./extract-artists";

/** One playlist's manifest: extracted, or refused by Spotify (recorded as unavailable). */
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

/** The run's summary from what ExtractArtists read: each playlist's manifest, the artists. */
export function summarizeExtraction(artists: ArtistsExtraction): ExtractionSummary {
  const outcomes = artists.playlists;
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
