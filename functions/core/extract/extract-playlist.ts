// Extraction of one playlist into the raw layer: its metadata (which embeds the first items
// page) and every further items page, stored byte for byte as Spotify sent them, then the
// manifest that commits them and says where each page's entries are. An unchanged playlist
// (same snapshot_id as its last complete extraction) costs that one request: its manifest
// lists the pages stored then (see stored-pages.ts). Safe to rerun for
// the same snapshot hour: the same keys are overwritten and leftovers of a longer previous
// run are removed, so a rerun never leaves a second copy or stale pages behind.

import { InvalidInputError } from "../../commons/errors";
import { rawKeys } from "../../commons/keys";
import type { ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import { isSpotifyId } from "../../commons/snapshot";
import type { SpotifyPort } from "../../commons/spotify";
import type { PlaylistManifest } from "../raw-manifests";
import {
  invalidateManifest,
  isUnavailable,
  MANIFEST_FORMAT,
  readPlaylistManifest,
  serializeManifest,
} from "../raw-manifests";
import { replaceUnderPrefix } from "../replace-under-prefix";
import { artistIdsOfPage } from "../spotify/entries";
import {
  availableResult,
  refusal,
  unavailableManifest,
  unavailableResult,
  type PlaylistExtraction,
  type UnavailablePlaylist,
} from "./playlist-outcome";

export type { PlaylistExtraction, UnavailablePlaylist } from "./playlist-outcome";
import { isEmbeddedFirstPage } from "../spotify/items-pager";
import { rememberExtraction, reusablePages, snapshotIdOf, storePage } from "./stored-pages";

/** The part of a structured logger (e.g. Powertools Logger) extraction uses. */
export interface ExtractLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export const JSON_CONTENT_TYPE = "application/json";

export async function extractPlaylist(params: {
  spotify: Pick<SpotifyPort, "getPlaylist" | "playlistItemPages">;
  rawStore: ObjectStore;
  snapshot: SnapshotHour;
  playlistId: string;
  logger?: ExtractLogger;
}): Promise<PlaylistExtraction | UnavailablePlaylist> {
  const { spotify, rawStore, snapshot, playlistId, logger } = params;
  if (!isSpotifyId(playlistId)) {
    throw new InvalidInputError(
      "playlistId",
      `must be a 22-character Spotify id, got ${JSON.stringify(playlistId)}`,
    );
  }
  const manifestKey = rawKeys.playlistManifest(snapshot, playlistId);

  // Fetched before anything is touched: a playlist that is rate limited, or refused after an
  // earlier run of this hour read it completely, leaves that extraction as it was.
  let playlist: Awaited<ReturnType<typeof spotify.getPlaylist>>;
  try {
    playlist = await spotify.getPlaylist(playlistId);
  } catch (error) {
    const refused = refusal(error);
    if (!refused) throw error;
    const earlier = await completeExtraction(rawStore, snapshot, playlistId);
    if (earlier) {
      logger?.warn("playlist refused now; this hour's earlier complete extraction is kept", {
        playlistId,
        status: refused.status,
      });
      return earlier;
    }
    return recordUnavailable({ rawStore, snapshot, playlistId, refused, logger });
  }

  // From the first overwrite on, a previous manifest would vouch for a mix of old and new
  // pages; without it, a crash leaves "not extracted" (rerun) instead of wrong data.
  await invalidateManifest(rawStore, manifestKey);

  const playlistKey = rawKeys.playlist(snapshot, playlistId);
  // The same snapshot_id as the last complete extraction: the playlist has not changed, and
  // its stored pages stand for this hour's (one request instead of one per page).
  const reused = await reusablePages(rawStore, playlistId, playlist.json);
  let declaredTotal: unknown;
  // The playlist's folder gets its body and, last, the manifest; the pages go to the
  // playlist's stored pages (content keys, shared by the hours that list them). What an
  // earlier run left in the folder is removed after.
  const { result: manifest, removed } = await replaceUnderPrefix(
    rawStore,
    rawKeys.playlistPrefix(snapshot, playlistId),
    async (put) => {
      await put(playlistKey, playlist.body, JSON_CONTENT_TYPE);
      const itemPages: PlaylistManifest["itemPages"] = [];
      const artistIds = new Set<string>(reused?.artistIds);
      let entryCount = 0;
      const addPage = (json: unknown, ref: PlaylistManifest["itemPages"][number]) => {
        if (itemPages.length === 0) declaredTotal = (json as { total?: unknown }).total;
        addRef(ref);
        for (const id of artistIdsOfPage(json)) artistIds.add(id);
      };
      const addRef = (ref: PlaylistManifest["itemPages"][number]) => {
        itemPages.push(ref);
        entryCount += ref.entryCount;
      };
      // The full playlist object embeds its first page: its entries stay in playlist.json
      // (stored as received) and the manifest says so; paging goes on from its `next`.
      const embedded = (playlist.json as { items?: unknown }).items;
      if (isEmbeddedFirstPage(embedded)) {
        addPage(embedded, {
          key: playlistKey,
          url: playlist.canonicalUrl,
          entryCount: embedded.items.length,
          embeddedAt: "items",
        });
      }
      if (reused) {
        reused.pages.forEach(addRef);
      } else {
        try {
          for await (const page of spotify.playlistItemPages(playlistId, embedded)) {
            const key = await storePage(rawStore, playlistId, page.body, JSON_CONTENT_TYPE);
            const items = (page.json as { items?: unknown }).items;
            const pageEntries = Array.isArray(items) ? items.length : 0;
            addPage(page.json, { key, url: page.canonicalUrl, entryCount: pageEntries });
          }
        } catch (error) {
          // Metadata without items (development mode, another owner's playlist): the folder
          // keeps the metadata and the refusal; stored pages stay unlisted.
          const refused = refusal(error);
          if (!refused) throw error;
          const unavailable = unavailableManifest(snapshot, playlistId, refused, {
            key: playlistKey,
            url: playlist.canonicalUrl,
          });
          await put(manifestKey, serializeManifest(unavailable), JSON_CONTENT_TYPE);
          return unavailable;
        }
      }

      // Key order is fixed by this literal, so the same responses give the same bytes, and
      // an hour that reused the stored pages writes the manifest a full fetch would.
      const manifest: PlaylistManifest = {
        format: MANIFEST_FORMAT,
        snapshot: snapshot.iso,
        playlistId,
        playlist: { key: playlistKey, url: playlist.canonicalUrl },
        itemPages,
        entryCount,
        artistIds: [...artistIds].sort(),
      };
      await put(manifestKey, serializeManifest(manifest), JSON_CONTENT_TYPE);
      return manifest;
    },
  );
  if (isUnavailable(manifest)) {
    logger?.warn("playlist unavailable", { playlistId, ...manifest.unavailable });
    return unavailableResult(playlistId, manifestKey);
  }

  // After the manifest: the next hour may reuse only a complete extraction.
  const snapshotId = snapshotIdOf(playlist.json);
  if (!reused && snapshotId !== undefined) {
    await rememberExtraction(
      rawStore,
      snapshot,
      playlistId,
      snapshotId,
      manifest.itemPages,
      JSON_CONTENT_TYPE,
    );
  }
  logger?.info("playlist extracted", {
    playlistId,
    snapshot: snapshot.iso,
    unchanged: reused !== undefined,
    pageCount: manifest.itemPages.length,
    entryCount: manifest.entryCount,
    declaredTotal,
    artistCount: manifest.artistIds.length,
    staleKeysDeleted: removed.length,
  });
  if (typeof declaredTotal === "number" && declaredTotal !== manifest.entryCount) {
    logger?.warn("playlist entries received differ from its declared total", {
      playlistId,
      declaredTotal,
      entryCount: manifest.entryCount,
    });
  }
  return availableResult(playlistId, manifestKey, manifest);
}

/** Refused at the first request: the playlist's folder holds only the refusal. */
async function recordUnavailable(params: {
  rawStore: ObjectStore;
  snapshot: SnapshotHour;
  playlistId: string;
  refused: { status: number; reason: string };
  logger: ExtractLogger | undefined;
}): Promise<UnavailablePlaylist> {
  const { rawStore, snapshot, playlistId, refused, logger } = params;
  const manifestKey = rawKeys.playlistManifest(snapshot, playlistId);
  await invalidateManifest(rawStore, manifestKey);
  const manifest = unavailableManifest(snapshot, playlistId, refused, null);
  await replaceUnderPrefix(rawStore, rawKeys.playlistPrefix(snapshot, playlistId), (put) =>
    put(manifestKey, serializeManifest(manifest), JSON_CONTENT_TYPE),
  );
  logger?.warn("playlist unavailable", { playlistId, ...refused });
  return unavailableResult(playlistId, manifestKey);
}

/** This hour's complete extraction of the playlist, if an earlier run left one. */
async function completeExtraction(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
  playlistId: string,
): Promise<PlaylistExtraction | undefined> {
  const manifestKey = rawKeys.playlistManifest(snapshot, playlistId);
  if ((await rawStore.get(manifestKey)) === undefined) return undefined;
  const manifest = await readPlaylistManifest(rawStore, snapshot, playlistId);
  return isUnavailable(manifest) ? undefined : availableResult(playlistId, manifestKey, manifest);
}
