// ExtractPlaylist: one Map iteration: a playlist's metadata and items, stored raw.

import type { MiddlewareObj } from "@middy/core";
import { InvalidInputError } from "../commons/errors";
import { logger, pipelineHandler } from "../commons/lambda";
import type { ObjectStore } from "../commons/ports";
import type { SpotifyContext } from "../commons/spotify-credentials";
import { readSpotifyCredentials } from "../commons/spotify-credentials";
import type { SpotifyEndpoints } from "../commons/spotify-session";
import { spotifySession } from "../commons/spotify-session";
import { isSpotifyId } from "../commons/snapshot";
import type { PlaylistExtraction } from "../core/extract/extract-playlist";
import { extractPlaylist } from "../core/extract/extract-playlist";
import { readRunRef } from "../core/run";

export interface ExtractDeps {
  rawStore: ObjectStore;
  spotifySecret: MiddlewareObj<unknown, unknown, Error, SpotifyContext>;
  spotifyEndpoints?: SpotifyEndpoints;
}

export function createExtractPlaylistHandler(deps: ExtractDeps) {
  const spotifyFor = spotifySession(deps.spotifyEndpoints);
  return pipelineHandler(
    async (
      event: { run: unknown; playlistId: unknown },
      context: SpotifyContext,
    ): Promise<PlaylistExtraction> => {
      const { snapshot } = readRunRef(event);
      if (!isSpotifyId(event.playlistId)) {
        throw new InvalidInputError("playlistId", "must be a 22-character Spotify id");
      }
      const spotify = spotifyFor(readSpotifyCredentials(context));
      const result = await extractPlaylist({
        spotify,
        rawStore: deps.rawStore,
        snapshot,
        playlistId: event.playlistId,
        logger,
      });
      logger.info("playlist extracted", { ...result });
      return result;
    },
  ).use(deps.spotifySecret);
}
