// Extraction of the artists of a snapshot: the union of the artist ids the playlist
// manifests list; those without fresh stored details (artist-details.ts) are fetched once
// each, stored byte for byte, and the artists manifest commits which stored response holds
// each artist's details and when they were fetched. Reads only committed playlists, so it never fetches artists of a half-written one.

import { InvalidInputError } from "../../commons/errors";
import { rawKeys } from "../../commons/keys";
import type { ConditionalObjectStore, ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import { isSpotifyId } from "../../commons/snapshot";
import type { SpotifyPort } from "../../commons/spotify";
import type { ArtistsManifest } from "../raw-manifests";
import {
  invalidateManifest,
  isUnavailable,
  MANIFEST_FORMAT,
  readArtistsManifest,
  readPlaylistManifest,
  serializeManifest,
} from "../raw-manifests";
import {
  DEFAULT_ARTIST_MAX_AGE_HOURS,
  isFresh,
  mergeIntoArtistIndex,
  readArtistIndex,
  responsesOf,
  storeArtistResponse,
  type StoredArtist,
} from "./artist-details";
import { replaceUnderPrefix } from "../replace-under-prefix";
import type { ExtractLogger } from "./extract-playlist";
import type { PlaylistOutcome } from "./extraction-outcomes";
import { JSON_CONTENT_TYPE } from "./extract-playlist";

export interface ArtistsExtraction {
  manifestKey: string;
  artistCount: number;
  responseCount: number;
  missingArtistCount: number;
  /** Artists asked of Spotify this hour: those without fresh stored details. */
  fetchedArtistCount: number;
  /** What each playlist's manifest says, in id order: the extraction's outcomes. */
  playlists: PlaylistOutcome[];
}

export async function extractArtists(params: {
  spotify: Pick<SpotifyPort, "getArtists">;
  rawStore: ConditionalObjectStore;
  snapshot: SnapshotHour;
  playlistIds: readonly string[];
  /** Stored details younger than this are used instead of a request (default 24). */
  maxAgeHours?: number;
  logger?: ExtractLogger;
}): Promise<ArtistsExtraction> {
  const { spotify, rawStore, snapshot, playlistIds, logger } = params;
  const maxAgeHours = params.maxAgeHours ?? DEFAULT_ARTIST_MAX_AGE_HOURS;

  const invalid = playlistIds.find((id) => !isSpotifyId(id));
  if (invalid !== undefined) {
    throw new InvalidInputError(
      "playlistIds",
      `must hold 22-character Spotify ids, got ${JSON.stringify(invalid)}`,
    );
  }
  const wanted = new Set<string>();
  const playlists: PlaylistOutcome[] = [];
  for (const playlistId of [...new Set(playlistIds)].sort()) {
    const manifest = await readPlaylistManifest(rawStore, snapshot, playlistId);
    if (isUnavailable(manifest)) {
      playlists.push({ playlistId, available: false });
      continue;
    }
    playlists.push({ playlistId, available: true, entryCount: manifest.entryCount });
    for (const id of manifest.artistIds) wanted.add(id);
  }
  const artistIds = [...wanted].sort();
  const manifestKey = rawKeys.artistsManifest(snapshot);

  // A rerun or redrive of an hour whose artists were already committed for the same artists
  // keeps that commit: the same bytes, and no request.
  const earlier = await committedManifest(rawStore, snapshot);
  if (earlier && sameIds(earlier.artistIds, artistIds) && earlier.responses.every(isStored)) {
    return summary(manifestKey, earlier, 0, playlists);
  }

  // Fresh stored details where there are some; the others are asked of Spotify.
  const { artists: index } = await readArtistIndex(rawStore);
  const reused: StoredArtist[] = [];
  const toFetch: string[] = [];
  for (const id of artistIds) {
    const stored = index.get(id);
    if (stored && isFresh(stored, snapshot, maxAgeHours)) reused.push(stored);
    else toFetch.push(id);
  }
  const responses = await spotify.getArtists(toFetch);
  await invalidateManifest(rawStore, manifestKey);

  const fetched: StoredArtist[] = [];
  const { result: manifest, removed } = await replaceUnderPrefix(
    rawStore,
    rawKeys.artistsPrefix(snapshot),
    async (put) => {
      const stored: ArtistsManifest["responses"] = [];
      const found = new Set<string>();
      for (const response of responses) {
        const key = await storeArtistResponse(rawStore, response.body, JSON_CONTENT_TYPE);
        const ids = [...new Set(artistIdsIn(response.json, response.status))].sort();
        const url = response.canonicalUrl;
        stored.push({ key, url, status: response.status, fetchedAt: snapshot.iso, artistIds: ids });
        for (const id of ids) {
          if (!found.has(id)) fetched.push({ id, key, url, fetchedAt: snapshot.iso });
          found.add(id);
        }
      }
      // Whatever was asked for and not answered with an artist object: 404s one by one, or
      // `null` slots of a batch answer. The transform records these as missing, not as errors.
      const missingArtistIds = toFetch.filter((id) => !found.has(id));

      const manifest: ArtistsManifest = {
        format: MANIFEST_FORMAT,
        snapshot: snapshot.iso,
        artistIds,
        // By key: the same details give the same manifest whether fetched now or earlier.
        responses: [...stored, ...responsesOf(reused)].sort((a, b) =>
          a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
        ),
        missingArtistIds,
      };
      await put(manifestKey, serializeManifest(manifest), JSON_CONTENT_TYPE);
      return manifest;
    },
  );
  // After the commit: later hours may rely only on details an hour has committed.
  const indexed = await mergeIntoArtistIndex(rawStore, fetched);
  if (!indexed) logger?.warn("artist index not updated: other runs kept writing it", {});

  logger?.info("artists extracted", {
    snapshot: snapshot.iso,
    artistCount: artistIds.length,
    fetchedArtistCount: toFetch.length,
    reusedArtistCount: reused.length,
    responseCount: manifest.responses.length,
    missingArtistCount: manifest.missingArtistIds.length,
    staleKeysDeleted: removed.length,
  });
  return summary(manifestKey, manifest, toFetch.length, playlists);
}

const summary = (
  manifestKey: string,
  manifest: ArtistsManifest,
  fetchedArtistCount: number,
  playlists: PlaylistOutcome[],
): ArtistsExtraction => ({
  manifestKey,
  artistCount: manifest.artistIds.length,
  responseCount: manifest.responses.length,
  missingArtistCount: manifest.missingArtistIds.length,
  fetchedArtistCount,
  playlists,
});

/** This hour's committed artists manifest, if a run left a readable one. */
async function committedManifest(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
): Promise<ArtistsManifest | undefined> {
  if ((await rawStore.get(rawKeys.artistsManifest(snapshot))) === undefined) return undefined;
  return readArtistsManifest(rawStore, snapshot).catch(() => undefined);
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/** Written by this version of the step: stored by content, with when it was fetched. */
const isStored = (r: ArtistsManifest["responses"][number]) =>
  r.fetchedAt !== undefined && r.key.startsWith(rawKeys.artistDetailsPrefix);

/** Ids of the artist objects in one answer: `{artists: [...]}` (batch) or one artist. */
function artistIdsIn(json: unknown, status: number): string[] {
  if (status < 200 || status >= 300 || typeof json !== "object" || json === null) return [];
  const batch = (json as { artists?: unknown }).artists;
  const artists = Array.isArray(batch) ? batch : [json];
  return artists
    .map((artist) => (artist as { id?: unknown } | null)?.id)
    .filter((id): id is string => isSpotifyId(id));
}
