// Extraction of the artists of a snapshot: the union of the artist ids the playlist
// manifests list, fetched once each, stored byte for byte, committed by the artists
// manifest. Reads only committed playlists, so it never fetches artists of a half-written one.

import { InvalidInputError } from "../../commons/errors";
import { rawKeys } from "../../commons/keys";
import type { ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import { isSpotifyId } from "../../commons/snapshot";
import type { SpotifyPort } from "../../commons/spotify";
import type { ArtistsManifest } from "../raw-manifests";
import {
  invalidateManifest,
  isUnavailable,
  MANIFEST_FORMAT,
  readPlaylistManifest,
  serializeManifest,
} from "../raw-manifests";
import { replaceUnderPrefix } from "../replace-under-prefix";
import type { ExtractLogger } from "./extract-playlist";
import { JSON_CONTENT_TYPE } from "./extract-playlist";

export interface ArtistsExtraction {
  manifestKey: string;
  artistCount: number;
  responseCount: number;
  missingArtistCount: number;
}

export async function extractArtists(params: {
  spotify: Pick<SpotifyPort, "getArtists">;
  rawStore: ObjectStore;
  snapshot: SnapshotHour;
  playlistIds: readonly string[];
  logger?: ExtractLogger;
}): Promise<ArtistsExtraction> {
  const { spotify, rawStore, snapshot, playlistIds, logger } = params;

  const invalid = playlistIds.find((id) => !isSpotifyId(id));
  if (invalid !== undefined) {
    throw new InvalidInputError(
      "playlistIds",
      `must hold 22-character Spotify ids, got ${JSON.stringify(invalid)}`,
    );
  }
  const wanted = new Set<string>();
  for (const playlistId of [...new Set(playlistIds)].sort()) {
    const manifest = await readPlaylistManifest(rawStore, snapshot, playlistId);
    if (isUnavailable(manifest)) continue;
    for (const id of manifest.artistIds) wanted.add(id);
  }
  const artistIds = [...wanted].sort();

  const responses = await spotify.getArtists(artistIds);
  const manifestKey = rawKeys.artistsManifest(snapshot);
  await invalidateManifest(rawStore, manifestKey);

  const { result: manifest, removed } = await replaceUnderPrefix(
    rawStore,
    rawKeys.artistsPrefix(snapshot),
    async (put) => {
      const stored: ArtistsManifest["responses"] = [];
      const found = new Set<string>();
      for (const [index, response] of responses.entries()) {
        const key = rawKeys.artistsResponse(snapshot, index);
        await put(key, response.body, JSON_CONTENT_TYPE);
        stored.push({ key, url: response.canonicalUrl, status: response.status });
        for (const id of artistIdsIn(response.json, response.status)) found.add(id);
      }
      // Whatever was asked for and not answered with an artist object: 404s one by one, or
      // `null` slots of a batch answer. The transform records these as missing, not as errors.
      const missingArtistIds = artistIds.filter((id) => !found.has(id));

      const manifest: ArtistsManifest = {
        format: MANIFEST_FORMAT,
        snapshot: snapshot.iso,
        artistIds,
        responses: stored,
        missingArtistIds,
      };
      await put(manifestKey, serializeManifest(manifest), JSON_CONTENT_TYPE);
      return manifest;
    },
  );

  logger?.info("artists extracted", {
    snapshot: snapshot.iso,
    artistCount: artistIds.length,
    responseCount: manifest.responses.length,
    missingArtistCount: manifest.missingArtistIds.length,
    staleKeysDeleted: removed.length,
  });
  return {
    manifestKey,
    artistCount: artistIds.length,
    responseCount: manifest.responses.length,
    missingArtistCount: manifest.missingArtistIds.length,
  };
}

/** Ids of the artist objects in one answer: `{artists: [...]}` (batch) or one artist. */
function artistIdsIn(json: unknown, status: number): string[] {
  if (status < 200 || status >= 300 || typeof json !== "object" || json === null) return [];
  const batch = (json as { artists?: unknown }).artists;
  const artists = Array.isArray(batch) ? batch : [json];
  return artists
    .map((artist) => (artist as { id?: unknown } | null)?.id)
    .filter((id): id is string => isSpotifyId(id));
}
