// ExtractPlaylist: one Map iteration: a playlist's metadata and items, stored raw.

import { InvalidInputError, SpotifyRateLimitWaitRequested } from "../commons/errors";
import type { ExtractDeps } from "../commons/extract-deps";
import { logger, pipelineHandler } from "../commons/lambda";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import { isSpotifyId } from "../commons/snapshot";
import type { PlaylistExtraction, UnavailablePlaylist } from "../core/extract/extract-playlist";
import { extractPlaylist } from "../core/extract/extract-playlist";
import { createExtractStep } from "../core/extract/extract-step";
import { readRunRef } from "../core/run";
import { readRateLimitWaits } from "../core/spotify/rate-limit-wait";

/**
 * What the Map iteration gets back: the extraction, or the record of Spotify's refusal. A
 * long rate limit is thrown as SpotifyRateLimitWaitRequested, so the iteration's normal path
 * is this one Task; the state machine's Catch waits and calls again.
 */
export type ExtractPlaylistResult = PlaylistExtraction | UnavailablePlaylist;

export function createExtractPlaylistHandler(deps: ExtractDeps) {
  const runExtractStep = createExtractStep(deps, logger);
  return pipelineHandler(
    async (
      event: { run: unknown; playlistId: unknown; rateLimitWaits?: unknown },
      context: SpotifyContext,
    ): Promise<ExtractPlaylistResult> => {
      const run = readRunRef(event);
      if (!isSpotifyId(event.playlistId)) {
        throw new InvalidInputError("playlistId", "must be a 22-character Spotify id");
      }
      const credentials = readSpotifyCredentials(context);
      const playlistId = event.playlistId;
      const result = await runExtractStep(
        { run, credentials, rateLimitWaits: event.rateLimitWaits },
        (spotify) =>
          extractPlaylist({
            spotify,
            rawStore: deps.rawStore,
            snapshot: run.snapshot,
            playlistId,
            logger,
          }),
      );
      if ("rateLimited" in result) {
        const waits = readRateLimitWaits(event.rateLimitWaits) + 1;
        logger.warn("rate limited: the state machine waits", {
          playlistId,
          retryAfterSeconds: result.retryAfterSeconds,
          rateLimitWaits: waits,
        });
        throw new SpotifyRateLimitWaitRequested(result.retryAfterSeconds, waits);
      }
      logger.info(result.available ? "playlist extracted" : "playlist recorded unavailable", {
        ...result,
      });
      return result;
    },
  ).use(deps.spotifySecret);
}
