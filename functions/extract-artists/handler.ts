// ExtractArtists: after the Map, fetches every artist of the snapshot's playlists once, and
// counts the playlists Spotify refused (the transform records them, the run then fails). The
// playlists are the run's items object; what became of each is in its raw manifest.

import type { ExtractDeps } from "../commons/extract-deps";
import { logger, pipelineHandler } from "../commons/lambda";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import { extractArtists } from "../core/extract/extract-artists";
import { createExtractStep, warnOfAuthorizationExpiry } from "../core/extract/extract-step";
import type { ExtractionSummary } from "../core/extract/extraction-outcomes";
import { summarizeExtraction } from "../core/extract/extraction-outcomes";
import { readPlaylistItems, readPlaylistItemsRef } from "../core/playlist-items";
import { readRunRef } from "../core/run";
import type { RateLimitWait } from "../core/spotify/rate-limit-wait";

export type { ExtractionSummary } from "../core/extract/extraction-outcomes";

/** The extraction's summary, or how long to wait before trying again. */
export type ExtractArtistsResult = (ExtractionSummary & { rateLimited: false }) | RateLimitWait;

export function createExtractArtistsHandler(deps: ExtractDeps) {
  const runExtractStep = createExtractStep(deps, logger);
  return pipelineHandler(
    async (
      event: { run: { playlistItems?: unknown }; rateLimitWaits?: unknown },
      context: SpotifyContext,
    ): Promise<ExtractArtistsResult> => {
      const run = readRunRef(event);
      const { snapshot } = run;
      const itemsRef = readPlaylistItemsRef(event.run.playlistItems, snapshot);
      const playlistIds = await readPlaylistItems(deps.rawStore, itemsRef);
      const credentials = readSpotifyCredentials(context);
      const artists = await runExtractStep(
        { run, credentials, rateLimitWaits: event.rateLimitWaits },
        (spotify) =>
          extractArtists({
            spotify,
            rawStore: deps.rawStore,
            snapshot,
            playlistIds,
            logger,
            ...(deps.artistMaxAgeHours ? { maxAgeHours: deps.artistMaxAgeHours } : {}),
          }),
      );
      if ("rateLimited" in artists) {
        logger.warn("rate limited: the state machine waits", { ...artists });
        return artists;
      }
      // Once per run (this step runs once), so every run that nears the expiry says so.
      const authorizationWarning = warnOfAuthorizationExpiry(
        credentials,
        (deps.now ?? (() => new Date()))(),
        logger,
      );
      const summary = {
        ...summarizeExtraction(artists),
        ...(authorizationWarning ? { authorizationWarning } : {}),
      };
      logger.info("extraction summarized", { ...summary });
      return { ...summary, rateLimited: false };
    },
  ).use(deps.spotifySecret);
}
