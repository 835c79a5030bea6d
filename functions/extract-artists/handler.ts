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
import type { ExtractDeps } from "../extract-playlist/handler";
import { keepRotatedRefreshToken } from "../extract-playlist/handler";

export type { ExtractionSummary } from "../core/extract/extraction-outcomes";

export function createExtractArtistsHandler(deps: ExtractDeps) {
  const spotifyFor = spotifySession(deps.spotifyEndpoints);
  return pipelineHandler(
    async (
      event: { run: unknown; playlists: unknown },
      context: SpotifyContext,
    ): Promise<ExtractionSummary> => {
      const { snapshot, executionId } = readRunRef(event);
      const outcomes = readPlaylistOutcomes(event.playlists);
      const credentials = readSpotifyCredentials(context);
      const spotify = spotifyFor(credentials);
      const playlistIds = await playlistsNeedingArtists(deps.rawStore, snapshot, outcomes);
      const now = (deps.now ?? (() => new Date()))();
      const artists = await writeUnderSnapshotLease(deps.rawStore, snapshot, executionId, now, () =>
        extractArtists({ spotify, rawStore: deps.rawStore, snapshot, playlistIds, logger }),
      );
      const summary = summarizeExtraction(outcomes, artists);
      // The run fails at CheckExtraction: free the snapshot for a rerun right away.
      if (summary.unavailablePlaylistCount > 0) {
        await releaseSnapshotLease(deps.rawStore, snapshot, executionId);
      }
      await keepRotatedRefreshToken(deps, credentials, spotify.rotatedRefreshToken);
      logger.info("extraction summarized", { ...summary });
      return summary;
    },
  ).use(deps.spotifySecret);
}
