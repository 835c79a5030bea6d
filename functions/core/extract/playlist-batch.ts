// One child execution of the Distributed Map: a batch of playlists extracted one after the
// other in one Lambda call (the Map's MaxConcurrency bounds how many batches run at once, so
// Spotify's rolling window sees the same few callers as before). A playlist Spotify refused
// is recorded in its raw manifest and counted; it never fails the batch. What leaves the
// batch is counts only: the Map's results file stays small whatever the list.

import { InvalidInputError } from "../../commons/errors";
import { isSpotifyId } from "../../commons/snapshot";
import type { PlaylistExtraction, UnavailablePlaylist } from "./playlist-outcome";

/** What a batch reports: the child's output, written to the Map Run's results. */
export interface PlaylistBatchResult {
  playlists: number;
  available: number;
  unavailable: number;
  entries: number;
}

/** The batch's ids (the ItemBatcher's `Items`), checked. */
export function readPlaylistBatch(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidInputError("playlistIds", "must be a non-empty array of Spotify ids");
  }
  const bad = value.findIndex((id) => !isSpotifyId(id));
  if (bad >= 0) throw new InvalidInputError(`playlistIds[${bad}]`, "must be a Spotify id");
  return value as string[];
}

/** Extracts each playlist in order; a rate limit or other error ends the batch (retried). */
export async function extractPlaylistBatch(
  playlistIds: readonly string[],
  extractOne: (playlistId: string) => Promise<PlaylistExtraction | UnavailablePlaylist>,
): Promise<PlaylistBatchResult> {
  const result: PlaylistBatchResult = { playlists: 0, available: 0, unavailable: 0, entries: 0 };
  for (const playlistId of playlistIds) {
    const outcome = await extractOne(playlistId);
    result.playlists += 1;
    if (outcome.available) {
      result.available += 1;
      result.entries += outcome.entryCount;
    } else {
      result.unavailable += 1;
    }
  }
  return result;
}
