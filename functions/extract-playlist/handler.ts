// ExtractPlaylist: one Map iteration: a playlist's metadata and items, stored raw.

import { InvalidInputError } from "../commons/errors";
import type { ExtractDeps } from "../commons/extract-deps";
import { logger, pipelineHandler } from "../commons/lambda";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import { isSpotifyId } from "../commons/snapshot";
import type { PlaylistExtraction, UnavailablePlaylist } from "../core/extract/extract-playlist";
import { extractPlaylist } from "../core/extract/extract-playlist";
import { createExtractStep } from "../core/extract/extract-step";
import { readRunRef } from "../core/run";
import type { RateLimitWait } from "../core/spotify/rate-limit-wait";

/**
 * What the Map iteration gets back: the extraction (or the record of Spotify's refusal), or
 * how long to wait before trying again.
 */
export type ExtractPlaylistResult =
  ((PlaylistExtraction | UnavailablePlaylist) & { rateLimited: false }) | RateLimitWait;

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
        logger.warn("rate limited: the state machine waits", { playlistId, ...result });
        return result;
      }
      logger.info(result.available ? "playlist extracted" : "playlist recorded unavailable", {
        ...result,
      });
      return { ...result, rateLimited: false };
    },
  ).use(deps.spotifySecret);
}
