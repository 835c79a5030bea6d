// ExtractPlaylist: the Distributed Map's child, one batch of playlists (`playlistIds`, the
// ItemBatcher's Items) or, in its single form, one playlist (`playlistId`): each playlist's
// metadata and items, stored raw.

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
import type { PlaylistBatchResult } from "../core/extract/playlist-batch";
import { extractPlaylistBatch, readPlaylistBatch } from "../core/extract/playlist-batch";

/**
 * What the Map iteration gets back: the extraction, or the record of Spotify's refusal. A
 * long rate limit is thrown as SpotifyRateLimitWaitRequested, so the iteration's normal path
 * is this one Task; the state machine's Catch waits and calls again.
 */
export type ExtractPlaylistResult = PlaylistExtraction | UnavailablePlaylist | PlaylistBatchResult;

export function createExtractPlaylistHandler(deps: ExtractDeps) {
  const runExtractStep = createExtractStep(deps, logger);
  return pipelineHandler(
    async (
      event: {
        run: unknown;
        playlistId?: unknown;
        playlistIds?: unknown;
        rateLimitWaits?: unknown;
      },
      context: SpotifyContext,
    ): Promise<ExtractPlaylistResult> => {
      const run = readRunRef(event);
      const batch = event.playlistIds !== undefined;
      if (batch) readPlaylistBatch(event.playlistIds);
      else if (!isSpotifyId(event.playlistId)) {
        throw new InvalidInputError("playlistId", "must be a 22-character Spotify id");
      }
      const credentials = readSpotifyCredentials(context);
      const playlistIds = batch ? (event.playlistIds as string[]) : [event.playlistId as string];
      // A rate limit inside a batch repeats the whole batch after the wait; the playlists it
      // had finished then cost one request each (unchanged snapshot_id: their stored pages).
      const result = await runExtractStep(
        { run, credentials, rateLimitWaits: event.rateLimitWaits },
        (spotify): Promise<ExtractPlaylistResult> => {
          const extractOne = (playlistId: string) =>
            extractPlaylist({
              spotify,
              rawStore: deps.rawStore,
              snapshot: run.snapshot,
              playlistId,
              logger,
            });
          return batch
            ? extractPlaylistBatch(playlistIds, extractOne)
            : extractOne(playlistIds[0]!);
        },
      );
      if ("rateLimited" in result) {
        const waits = readRateLimitWaits(event.rateLimitWaits) + 1;
        logger.warn("rate limited: the state machine waits", {
          playlistIds: playlistIds.length > 3 ? `${playlistIds.length} playlists` : playlistIds,
          retryAfterSeconds: result.retryAfterSeconds,
          rateLimitWaits: waits,
        });
        throw new SpotifyRateLimitWaitRequested(result.retryAfterSeconds, waits);
      }
      if ("playlists" in result) logger.info("playlist batch extracted", { ...result });
      else {
        logger.info(result.available ? "playlist extracted" : "playlist recorded unavailable", {
          ...result,
        });
      }
      return result;
    },
  ).use(deps.spotifySecret);
}
