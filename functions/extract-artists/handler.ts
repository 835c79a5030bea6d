// ExtractArtists: after the Map, fetches every artist of the snapshot's playlists once, and
// reports which playlists could not be read so the run can fail naming them.

import { InvalidInputError } from "../commons/errors";
import { rawKeys } from "../commons/keys";
import type { ObjectStore } from "../commons/ports";
import type { SnapshotHour } from "../commons/snapshot";
import { logger, pipelineHandler } from "../commons/lambda";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import { spotifySession } from "../commons/spotify-session";
import { isSpotifyId } from "../commons/snapshot";
import { extractArtists } from "../core/extract/extract-artists";
import { readRunRef } from "../core/run";
import type { ExtractDeps } from "../extract-playlist/handler";
import { keepRotatedRefreshToken } from "../extract-playlist/handler";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";

/** One Map result: an extracted playlist, or one Spotify would not give us. */
type PlaylistOutcome =
  | { playlistId: string; available: true; entryCount: number }
  | { playlistId: string; available: false; cause?: string };

export interface ExtractionSummary {
  playlists: number;
  entries: number;
  artists: number;
  missingArtists: number;
  unavailablePlaylistCount: number;
  /** Human-readable, for the Fail state's Cause: "id: reason; id: reason". */
  unavailablePlaylists: string;
}

function readOutcomes(value: unknown): PlaylistOutcome[] {
  if (!Array.isArray(value)) throw new InvalidInputError("playlists", "must be an array");
  return value.map((o: unknown, i) => {
    const outcome = o as Partial<Record<string, unknown>> | null;
    if (!outcome || !isSpotifyId(outcome.playlistId) || typeof outcome.available !== "boolean") {
      throw new InvalidInputError(`playlists[${i}]`, "is not an extraction result");
    }
    return outcome as PlaylistOutcome;
  });
}

/** Lambda error causes arrive as JSON ({errorType, errorMessage}); keep the message. */
function reasonOf(cause: string | undefined): string {
  if (!cause) return "unavailable";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message itself
  }
  return cause;
}

/**
 * Unavailable playlists whose raw data an earlier run of this hour stored: their artists stay
 * in the artists step, so a later reprocess of the whole hour still finds every artist.
 */
async function earlierExtractions(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
  unavailable: PlaylistOutcome[],
): Promise<string[]> {
  const kept: string[] = [];
  for (const { playlistId } of unavailable) {
    if ((await rawStore.list(rawKeys.playlistManifest(snapshot, playlistId))).length > 0) {
      kept.push(playlistId);
    }
  }
  return kept;
}

export function createExtractArtistsHandler(deps: ExtractDeps) {
  const spotifyFor = spotifySession(deps.spotifyEndpoints);
  return pipelineHandler(
    async (
      event: { run: unknown; playlists: unknown },
      context: SpotifyContext,
    ): Promise<ExtractionSummary> => {
      const { snapshot, executionId } = readRunRef(event);
      const outcomes = readOutcomes(event.playlists);
      const available = outcomes.filter((o) => o.available);
      const unavailable = outcomes.filter((o) => !o.available);
      const credentials = readSpotifyCredentials(context);
      const spotify = spotifyFor(credentials);
      const keptFromEarlierRun = await earlierExtractions(deps.rawStore, snapshot, unavailable);
      const artists = await writeUnderSnapshotLease(
        deps.rawStore,
        snapshot,
        executionId,
        (deps.now ?? (() => new Date()))(),
        () =>
          extractArtists({
            spotify,
            rawStore: deps.rawStore,
            snapshot,
            playlistIds: [...available.map((o) => o.playlistId), ...keptFromEarlierRun],
            logger,
          }),
      );
      // The run fails at CheckExtraction: free the snapshot for a rerun right away.
      if (unavailable.length > 0) await releaseSnapshotLease(deps.rawStore, snapshot, executionId);
      await keepRotatedRefreshToken(deps, credentials, spotify.rotatedRefreshToken);
      const summary: ExtractionSummary = {
        playlists: available.length,
        entries: available.reduce((n, o) => n + (o.available ? o.entryCount : 0), 0),
        artists: artists.artistCount,
        missingArtists: artists.missingArtistCount,
        unavailablePlaylistCount: unavailable.length,
        unavailablePlaylists: unavailable
          .map((o) => {
            const reason = reasonOf(o.available ? undefined : o.cause);
            return reason.includes(o.playlistId) ? reason : `${o.playlistId}: ${reason}`;
          })
          .join("; "),
      };
      logger.info("extraction summarized", { ...summary });
      return summary;
    },
  ).use(deps.spotifySecret);
}
