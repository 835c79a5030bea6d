// ExtractArtists: after the Map, fetches every artist of the snapshot's playlists once, and
// reports which playlists could not be read so the run can fail naming them.

import { logger, pipelineHandler } from "../commons/lambda";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import { spotifySession } from "../commons/spotify-session";
import { extractArtists } from "../core/extract/extract-artists";
import type { ExtractionSummary } from "../core/extract/extraction-outcomes";
import {
  playlistsNeedingArtists,
  readPlaylistOutcomes,
  summarizeExtraction,
} from "../core/extract/extraction-outcomes";
import { readRunRef } from "../core/run";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";
import type { RateLimitWait } from "../core/spotify/rate-limit-wait";
import { orWaitForRateLimit, readRateLimitWaits } from "../core/spotify/rate-limit-wait";
import type { ExtractDeps } from "../extract-playlist/handler";
import { keepRotatedRefreshToken } from "../extract-playlist/handler";

export type { ExtractionSummary } from "../core/extract/extraction-outcomes";

/** The summary for CheckExtraction, or how long to wait before trying again. */
export type ExtractArtistsResult = (ExtractionSummary & { rateLimited: false }) | RateLimitWait;

export function createExtractArtistsHandler(deps: ExtractDeps) {
  const spotifyFor = spotifySession(deps.spotifyEndpoints);
  return pipelineHandler(
    async (
      event: { run: unknown; playlists: unknown; rateLimitWaits?: unknown },
      context: SpotifyContext,
    ): Promise<ExtractArtistsResult> => {
      const { snapshot, executionId } = readRunRef(event);
      const outcomes = readPlaylistOutcomes(event.playlists);
      const credentials = readSpotifyCredentials(context);
      const spotify = spotifyFor(credentials);
      const playlistIds = await playlistsNeedingArtists(deps.rawStore, snapshot, outcomes);
      const now = (deps.now ?? (() => new Date()))();
      const releaseLease = () => releaseSnapshotLease(deps.rawStore, snapshot, executionId);
      const artists = await orWaitForRateLimit(
        readRateLimitWaits(event.rateLimitWaits),
        () =>
          writeUnderSnapshotLease(deps.rawStore, snapshot, executionId, now, () =>
            extractArtists({ spotify, rawStore: deps.rawStore, snapshot, playlistIds, logger }),
          ),
        releaseLease,
      );
      await keepRotatedRefreshToken(deps, credentials, spotify.rotatedRefreshToken);
      if ("rateLimited" in artists) {
        logger.warn("rate limited: the state machine waits", { ...artists });
        return artists;
      }
      const summary = summarizeExtraction(outcomes, artists);
      // The run fails at CheckExtraction: free the snapshot for a rerun right away.
      if (summary.unavailablePlaylistCount > 0) await releaseLease();
      logger.info("extraction summarized", { ...summary });
      return { ...summary, rateLimited: false };
    },
  ).use(deps.spotifySecret);
}
