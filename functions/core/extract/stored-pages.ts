// A playlist's `/items` pages, kept across hours. Pages are stored under a key that names their
// content (sha256 of the bytes), and the playlist's last complete extraction is remembered with
// its `snapshot_id`: when the next hour's `GET /playlists/{id}` reports the same snapshot_id,
// the playlist has not changed, and that hour's manifest lists the stored pages instead of
// requesting them again. Content keys make this safe: a stored page is never overwritten with
// other bytes (a rerun that fetches the same page writes the same key with the same bytes),
// so every hour that lists it reads what was received. The pointer is only a shortcut: when it
// is missing, unreadable, or any page it names is gone or altered, the playlist is fetched in
// full, which is always correct.

import { createHash } from "node:crypto";
import { rawKeys } from "../../commons/keys";
import { isObject } from "../../commons/json";
import type { ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";
import type { ItemPageRef } from "../raw-manifests";
import { artistIdsOfPage } from "../spotify/entries";
import { isEmbeddedFirstPage } from "../spotify/items-pager";

const LAST_EXTRACTION_FORMAT = 1;

/** The playlist's last complete extraction: which version, and where its pages are. */
export interface LastExtraction {
  format: typeof LAST_EXTRACTION_FORMAT;
  playlistId: string;
  snapshotId: string;
  /** The snapshot hour whose run fetched the pages (for people; never compared). */
  fetchedFor: string;
  /** Whether the first page came embedded in the playlist object (then it is not listed). */
  embeddedFirstPage: boolean;
  /** The pages requested from `/items`, in order, each under its content key. */
  pages: ItemPageRef[];
}

export const sha256Hex = (body: Uint8Array | string): string =>
  createHash("sha256").update(body).digest("hex");

/** Stores one page under its content key; returns that key. */
export async function storePage(
  rawStore: ObjectStore,
  playlistId: string,
  body: Uint8Array,
  contentType: string,
): Promise<string> {
  const key = rawKeys.storedPage(playlistId, sha256Hex(body));
  await rawStore.put(key, body, contentType);
  return key;
}

/** The `snapshot_id` of a playlist object, when it has one. */
export function snapshotIdOf(playlistJson: unknown): string | undefined {
  const id = isObject(playlistJson) ? playlistJson.snapshot_id : undefined;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

export async function rememberExtraction(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
  playlistId: string,
  snapshotId: string,
  itemPages: readonly ItemPageRef[],
  contentType: string,
): Promise<void> {
  const embeddedFirstPage = itemPages[0]?.embeddedAt === "items";
  const pointer: LastExtraction = {
    format: LAST_EXTRACTION_FORMAT,
    playlistId,
    snapshotId,
    fetchedFor: snapshot.iso,
    embeddedFirstPage,
    pages: itemPages.filter((p) => !p.embeddedAt),
  };
  const body = `${JSON.stringify(pointer, null, 2)}\n`;
  await rawStore.put(rawKeys.lastExtraction(playlistId), body, contentType);
}

/**
 * The stored pages of the playlist's current version, when its last complete extraction had
 * the same snapshot_id and every page is still there with its bytes; otherwise undefined (fetch
 * it all). Reads the pages (object-store reads, no Spotify request) to check them and to
 * collect their artists.
 */
export async function reusablePages(
  rawStore: ObjectStore,
  playlistId: string,
  playlistJson: unknown,
): Promise<{ pages: ItemPageRef[]; artistIds: Set<string> } | undefined> {
  const snapshotId = snapshotIdOf(playlistJson);
  if (snapshotId === undefined) return undefined;
  const last = await readLastExtraction(rawStore, playlistId);
  if (last?.snapshotId !== snapshotId) return undefined;
  const embedded = (playlistJson as { items?: unknown }).items;
  const isEmbedded = isEmbeddedFirstPage(embedded);
  if (isEmbedded !== last.embeddedFirstPage) return undefined;
  // The embedded page says whether more pages follow; the stored ones must agree.
  if (isEmbedded && (typeof embedded.next === "string") !== last.pages.length > 0) {
    return undefined;
  }
  const artistIds = new Set<string>();
  for (const page of last.pages) {
    const body = await rawStore.get(page.key);
    if (body === undefined || page.key !== rawKeys.storedPage(playlistId, sha256Hex(body))) {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return undefined;
    }
    for (const id of artistIdsOfPage(json)) artistIds.add(id);
  }
  return { pages: last.pages, artistIds };
}

async function readLastExtraction(
  rawStore: ObjectStore,
  playlistId: string,
): Promise<LastExtraction | undefined> {
  const bytes = await rawStore.get(rawKeys.lastExtraction(playlistId));
  if (bytes === undefined) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const prefix = rawKeys.storedPagesPrefix(playlistId);
  const valid =
    isObject(m) &&
    m.format === LAST_EXTRACTION_FORMAT &&
    m.playlistId === playlistId &&
    typeof m.snapshotId === "string" &&
    typeof m.embeddedFirstPage === "boolean" &&
    Array.isArray(m.pages) &&
    m.pages.every(
      (p) =>
        isObject(p) &&
        typeof p.key === "string" &&
        p.key.startsWith(prefix) &&
        typeof p.url === "string" &&
        Number.isInteger(p.entryCount) &&
        p.embeddedAt === undefined,
    );
  return valid ? (m as unknown as LastExtraction) : undefined;
}
