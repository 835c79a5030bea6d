// ExtractPlaylist: one Map iteration: a playlist's metadata and items, stored raw.

import type { MiddlewareObj } from "@middy/core";
import { InvalidInputError } from "../commons/errors";
import { logger, pipelineHandler } from "../commons/lambda";
import type { ConditionalObjectStore, SpotifyCredentials } from "../commons/ports";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import type { SpotifyEndpoints } from "../commons/spotify-session";
import { spotifySession } from "../commons/spotify-session";
import { isSpotifyId } from "../commons/snapshot";
import type { PlaylistExtraction } from "../core/extract/extract-playlist";
import { extractPlaylist } from "../core/extract/extract-playlist";
import { readRunRef } from "../core/run";
import { releaseSnapshotLease, writeUnderSnapshotLease } from "../core/snapshot-lease";
import type { RateLimitWait } from "../core/spotify/rate-limit-wait";
import { orWaitForRateLimit, readRateLimitWaits } from "../core/spotify/rate-limit-wait";

export interface ExtractDeps {
  rawStore: ConditionalObjectStore;
  spotifySecret: MiddlewareObj<unknown, unknown, Error, SpotifyContext>;
  spotifyEndpoints?: SpotifyEndpoints;
  /** Stores a refresh token Spotify rotated; without it the rotation is only reported. */
  saveRotatedCredentials?: (credentials: SpotifyCredentials) => Promise<void>;
  now?: () => Date;
}

/** Spotify may hand out a new refresh token; the secret must then hold it, or the old one dies. */
export async function keepRotatedRefreshToken(
  deps: ExtractDeps,
  credentials: SpotifyCredentials,
  rotated: string | undefined,
): Promise<void> {
  if (!rotated || rotated === credentials.refreshToken) return;
  if (deps.saveRotatedCredentials) {
    await deps.saveRotatedCredentials({ ...credentials, refreshToken: rotated });
    logger.info("stored the refresh token Spotify rotated");
  } else {
    logger.warn("Spotify rotated the refresh token; store the new one in the Spotify secret");
  }
}

/** What the Map iteration gets back: the extraction, or how long to wait before trying again. */
export type ExtractPlaylistResult = (PlaylistExtraction & { rateLimited: false }) | RateLimitWait;

export function createExtractPlaylistHandler(deps: ExtractDeps) {
  const spotifyFor = spotifySession(deps.spotifyEndpoints);
  return pipelineHandler(
    async (
      event: { run: unknown; playlistId: unknown; rateLimitWaits?: unknown },
      context: SpotifyContext,
    ): Promise<ExtractPlaylistResult> => {
      const { snapshot, executionId } = readRunRef(event);
      if (!isSpotifyId(event.playlistId)) {
        throw new InvalidInputError("playlistId", "must be a 22-character Spotify id");
      }
      const credentials = readSpotifyCredentials(context);
      const spotify = spotifyFor(credentials);
      const playlistId = event.playlistId;
      const now = (deps.now ?? (() => new Date()))();
      const result = await orWaitForRateLimit(
        readRateLimitWaits(event.rateLimitWaits),
        () =>
          writeUnderSnapshotLease(deps.rawStore, snapshot, executionId, now, () =>
            extractPlaylist({ spotify, rawStore: deps.rawStore, snapshot, playlistId, logger }),
          ),
        () => releaseSnapshotLease(deps.rawStore, snapshot, executionId),
      );
      await keepRotatedRefreshToken(deps, credentials, spotify.rotatedRefreshToken);
      if ("rateLimited" in result) {
        logger.warn("rate limited: the state machine waits", { playlistId, ...result });
        return result;
      }
      logger.info("playlist extracted", { ...result });
      return { ...result, rateLimited: false };
    },
  ).use(deps.spotifySecret);
}
