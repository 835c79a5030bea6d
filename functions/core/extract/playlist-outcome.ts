// What extracting one playlist ends with, for the Map iteration and the raw layer: a complete
// extraction's counts, or Spotify's refusal (403/404) recorded as the playlist's manifest.

import { PlaylistUnavailableError } from "../../commons/errors";
import type { SnapshotHour } from "../../commons/snapshot";
import type { PlaylistManifest, UnavailablePlaylistManifest } from "../raw-manifests";
import { MANIFEST_FORMAT } from "../raw-manifests";

export interface PlaylistExtraction {
  playlistId: string;
  available: true;
  manifestKey: string;
  pageCount: number;
  entryCount: number;
  artistCount: number;
}

/**
 * A playlist Spotify refused: recorded under its manifest key (status and message there, not
 * here, so the Map's results stay small). Its counts are 0, so both shapes leave the Map alike.
 */
export interface UnavailablePlaylist {
  playlistId: string;
  available: false;
  manifestKey: string;
  pageCount: 0;
  entryCount: 0;
  artistCount: 0;
}

/** What the Map iteration reports of a stored, complete extraction. */
export const availableResult = (
  playlistId: string,
  manifestKey: string,
  manifest: PlaylistManifest,
): PlaylistExtraction => ({
  playlistId,
  available: true,
  manifestKey,
  pageCount: manifest.itemPages.length,
  entryCount: manifest.entryCount,
  artistCount: manifest.artistIds.length,
});

export const unavailableResult = (
  playlistId: string,
  manifestKey: string,
): UnavailablePlaylist => ({
  playlistId,
  available: false,
  manifestKey,
  pageCount: 0,
  entryCount: 0,
  artistCount: 0,
});

/** Spotify's refusal of one playlist (403/404), or undefined for any other error. */
export function refusal(error: unknown): { status: number; reason: string } | undefined {
  return error instanceof PlaylistUnavailableError ? error.answer : undefined;
}

export function unavailableManifest(
  snapshot: SnapshotHour,
  playlistId: string,
  refused: { status: number; reason: string },
  playlist: UnavailablePlaylistManifest["playlist"],
): UnavailablePlaylistManifest {
  return {
    format: MANIFEST_FORMAT,
    snapshot: snapshot.iso,
    playlistId,
    unavailable: { status: refused.status, reason: refused.reason },
    playlist,
  };
}
