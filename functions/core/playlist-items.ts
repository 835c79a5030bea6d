// The run's playlist list as an object in the raw bucket: the Distributed Map reads its items
// from it (ItemReader), and the steps after the Map read the list from it too, so the list
// never travels in the execution's state (10,000 ids are 250 KB; a state holds 256 KB).
// PrepareRun writes it by content: the same list gives the same key and bytes on every rerun
// and redrive, and two executions of one hour with different lists never share an object.
// Large lists come from a source object (PLAYLISTS_OBJECT_KEY), which a Lambda's 4 KB of
// environment cannot hold.

import { InvalidInputError } from "../commons/errors";
import { rawKeys } from "../commons/keys";
import type { ObjectStore } from "../commons/ports";
import type { SnapshotHour } from "../commons/snapshot";
import { isSpotifyId } from "../commons/snapshot";
import { sha256Hex } from "./extract/stored-pages";

/** Where the run's list is, and how many playlists it holds: what travels in `run`. */
export interface PlaylistItemsRef {
  key: string;
  count: number;
}

/** Where a playlist source object may live: the raw bucket's configuration folder. */
export const PLAYLIST_SOURCE_PREFIX = "config/";

/** Writes the list (ids, in the run's order) and returns where it is. */
export async function storePlaylistItems(
  rawStore: ObjectStore,
  snapshot: SnapshotHour,
  playlistIds: readonly string[],
): Promise<PlaylistItemsRef> {
  const body = JSON.stringify(playlistIds);
  const key = rawKeys.playlistItems(snapshot, sha256Hex(body));
  await rawStore.put(key, body, "application/json");
  return { key, count: playlistIds.length };
}

/** `run.playlistItems`, checked: it names an items object of the run's own hour. */
export function readPlaylistItemsRef(value: unknown, snapshot: SnapshotHour): PlaylistItemsRef {
  const ref = value as Partial<PlaylistItemsRef> | null | undefined;
  const prefix = `spotify/runs/snapshot_date=${snapshot.date}/snapshot_hour=${snapshot.hour}/`;
  if (
    typeof ref?.key !== "string" ||
    !ref.key.startsWith(prefix) ||
    !/^playlist-items\/sha256=[0-9a-f]{64}\.json$/.test(ref.key.slice(prefix.length)) ||
    !Number.isInteger(ref.count)
  ) {
    throw new InvalidInputError("run.playlistItems", "must name this snapshot's items object");
  }
  return { key: ref.key, count: ref.count as number };
}

/** The list the items object holds; fails naming it when it is missing or not a list of ids. */
export async function readPlaylistItems(
  rawStore: ObjectStore,
  ref: PlaylistItemsRef,
): Promise<string[]> {
  const ids = await readIdList(rawStore, ref.key, "run.playlistItems");
  if (ids.length !== ref.count) {
    throw new InvalidInputError(
      "run.playlistItems",
      `${ref.key} holds ${ids.length} playlists, the run says ${ref.count}`,
    );
  }
  return ids;
}

/** A playlist source object's list (PLAYLISTS_OBJECT_KEY), unvalidated beyond its shape. */
export async function readPlaylistSource(rawStore: ObjectStore, key: string): Promise<unknown[]> {
  if (!key.startsWith(PLAYLIST_SOURCE_PREFIX) || key.includes("..")) {
    throw new InvalidInputError(
      "PLAYLISTS_OBJECT_KEY",
      `must be a key under ${PLAYLIST_SOURCE_PREFIX} in the raw bucket, got ${JSON.stringify(key)}`,
    );
  }
  return readJsonArray(rawStore, key, "PLAYLISTS_OBJECT_KEY");
}

async function readIdList(rawStore: ObjectStore, key: string, field: string): Promise<string[]> {
  const list = await readJsonArray(rawStore, key, field);
  const bad = list.findIndex((id) => !isSpotifyId(id));
  if (bad >= 0) throw new InvalidInputError(field, `${key}[${bad}] is not a Spotify id`);
  return list as string[];
}

async function readJsonArray(rawStore: ObjectStore, key: string, field: string) {
  const body = await rawStore.get(key);
  if (body === undefined) throw new InvalidInputError(field, `${key} does not exist`);
  let list: unknown;
  try {
    list = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw new InvalidInputError(field, `${key} is not JSON`);
  }
  if (!Array.isArray(list)) throw new InvalidInputError(field, `${key} is not a JSON array`);
  return list as unknown[];
}
