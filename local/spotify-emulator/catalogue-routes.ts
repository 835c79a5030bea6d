// The `/v1` endpoints served from a catalogue, and the rules of the two app modes: a playlist,
// its `/items` pages, one artist; extended-quota apps also get the old `/tracks` pages, the
// playlist's `tracks` field and batch `/artists?ids=`; development-mode apps get 403 there and
// lose the fields the Feb-2026 changes removed (show `publisher` included; artists without
// genres lack the field). Entries carry `item` and the deprecated `track` side by side.
// Paging follows Spotify (offset/limit checks, `href`/`next`/`previous` links built on
// `pagingBase`). In development mode `/items` also follows the Feb-2026 access rule: only a
// user's token reads items, and only of playlists that user owns or collaborates on (others:
// 403, their metadata still served, with an `{href, total}` stub in place of the embedded
// first page). `/v1/me` is the authorizing user.
import { errorReply, jsonReply, type ApiRequest, type ApiRoutes, type Reply } from "./reply";
import type {
  CataloguePlaylist,
  SpotifyArtist,
  SpotifyCatalogue,
  SpotifyPlaylistEntry,
  SpotifyPrivateUser,
} from "./types";

export type SpotifyAppMode = "extended" | "development";

export interface CatalogueRoutesOptions {
  catalogue: SpotifyCatalogue;
  mode: SpotifyAppMode;
  /** Largest `limit` accepted by `/items`; the old `/tracks` keeps 100. */
  pageLimitMax: number;
  /** Base of the paging links, without a trailing slash. */
  pagingBase: string;
  /** The user every user token speaks for (`GET /v1/me`). */
  user: SpotifyPrivateUser;
}

const ID = /^[0-9A-Za-z]{22}$/;

// Fields the Feb-2026 changes removed for development-mode apps, by object `type`. A Map:
// `type` comes from the catalogue, and "constructor" must find nothing.
const DEVELOPMENT_STRIPPED: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["track", new Set(["popularity", "available_markets"])],
  ["album", new Set(["popularity", "available_markets", "label"])],
  ["artist", new Set(["popularity", "followers"])],
  ["show", new Set(["available_markets", "publisher"])],
]);

/** Removes development-mode fields, copying objects so the catalogue is never mutated. */
function stripForDevelopment(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripForDevelopment);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const stripped =
    typeof record.type === "string" ? DEVELOPMENT_STRIPPED.get(record.type) : undefined;
  // Artist `genres` is deprecated: artists that have none come without the field at all.
  const genreless =
    record.type === "artist" && Array.isArray(record.genres) && record.genres.length === 0;
  // fromEntries defines own properties: a key "__proto__" stays a key, not a prototype.
  return Object.fromEntries(
    Object.entries(record)
      .filter(([key]) => !stripped?.has(key) && !(genreless && key === "genres"))
      .map(([key, child]) => [key, stripForDevelopment(child)]),
  );
}

/** Parses `offset`/`limit` as Spotify does: integers, limit in [1, max], offset >= 0. */
function paging(
  params: URLSearchParams,
  maxLimit: number,
): { offset: number; limit: number } | Reply {
  const limitText = params.get("limit");
  const offsetText = params.get("offset");
  const limit = limitText === null ? Math.min(20, maxLimit) : Number(limitText);
  const offset = offsetText === null ? 0 : Number(offsetText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    return errorReply(400, `Invalid limit: must be an integer from 1 to ${maxLimit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) return errorReply(400, "Invalid offset");
  return { offset, limit };
}

export function catalogueRoutes(options: CatalogueRoutesOptions): ApiRoutes {
  const { mode, pageLimitMax, pagingBase, user } = options;
  const playlists = new Map<string, CataloguePlaylist>();
  const artists = new Map<string, SpotifyArtist>();
  for (const p of options.catalogue.playlists) playlists.set(p.playlist.id, p);
  for (const a of options.catalogue.artists) artists.set(a.id, a);

  const shape = (value: unknown) => (mode === "development" ? stripForDevelopment(value) : value);

  function renderEntry(entry: SpotifyPlaylistEntry, oldShape: boolean): unknown {
    // During the deprecation window an entry carries the track under `item` and, again,
    // under the deprecated `track` (keys in alphabetical order, as Spotify sends them).
    if (!oldShape) {
      const sideBySide: Record<string, unknown> = { ...entry, track: entry.item };
      return shape(
        Object.fromEntries(
          Object.entries(sideBySide).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        ),
      );
    }
    // The old endpoint's shape: the object under `track`, keys still in alphabetical order.
    const { item, ...rest } = entry;
    return shape({
      added_at: rest.added_at,
      added_by: rest.added_by,
      is_local: rest.is_local,
      primary_color: rest.primary_color,
      track: item,
      video_thumbnail: rest.video_thumbnail,
    });
  }

  function itemsPage(
    p: CataloguePlaylist,
    which: "items" | "tracks",
    params: URLSearchParams,
  ): Reply {
    const page = paging(params, which === "items" ? pageLimitMax : 100);
    if ("status" in page) return page;
    return jsonReply(200, pagingObject(p, which, page.offset, page.limit));
  }

  function pagingObject(
    p: CataloguePlaylist,
    which: "items" | "tracks",
    offset: number,
    limit: number,
  ): Record<string, unknown> {
    const total = p.entries.length;
    // Real paging links carry extra parameters such as `locale=*`; a client must follow
    // them as given, and a replay must match them.
    const link = (o: number) =>
      `${pagingBase}/playlists/${p.playlist.id}/${which}?offset=${o}&limit=${limit}&locale=*`;
    return {
      href: link(offset),
      items: p.entries.slice(offset, offset + limit).map((e) => renderEntry(e, which === "tracks")),
      limit,
      next: offset + limit < total ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, Math.min(offset, total) - limit)) : null,
      total,
    };
  }

  function playlistObject(p: CataloguePlaylist, withItems: boolean): Reply {
    const stub = (which: string) => ({
      href: `${pagingBase}/playlists/${p.playlist.id}/${which}`,
      total: p.entries.length,
    });
    // The full playlist object embeds its first page of entries (a paging object), as
    // Spotify's PlaylistObject does; the `{href, total}` stub is the simplified object's. A
    // development-mode token that may not read the items gets the metadata only.
    const merged: Record<string, unknown> = {
      ...p.playlist,
      items: withItems ? pagingObject(p, "items", 0, pageLimitMax) : stub("items"),
    };
    // Extended-quota apps still see the pre-2026 `tracks` field beside `items`.
    if (mode === "extended") merged.tracks = stub("tracks");
    const ordered = Object.fromEntries(
      Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    return jsonReply(200, shape(ordered));
  }

  function severalArtists(params: URLSearchParams): Reply {
    // Removed for development-mode apps in Feb 2026.
    if (mode === "development") return errorReply(403, "Forbidden");
    const ids = params.get("ids");
    if (!ids) return errorReply(400, "Missing required field: ids");
    const list = ids.split(",");
    if (list.length > 50) return errorReply(400, "Too many ids requested");
    if (!list.every((id) => ID.test(id))) return errorReply(400, "invalid id");
    return jsonReply(200, { artists: list.map((id) => shape(artists.get(id) ?? null)) });
  }

  /** Development mode: a user's token, of the owner or a collaborator. */
  const readsItems = (token: ApiRequest["token"], p: CataloguePlaylist) =>
    token === "user" &&
    (p.playlist.owner.id === user.id ||
      (p.playlist.collaborative && (p.collaborators ?? []).includes(user.id)));

  return ({ method, path, params, token }) => {
    if (method !== "GET") return errorReply(405, "Method not allowed");
    let m = /^\/v1\/playlists\/([^/]+)(?:\/(items|tracks))?$/.exec(path);
    if (m) {
      const [, id, sub] = m as unknown as [string, string, "items" | "tracks" | undefined];
      if (!ID.test(id)) return errorReply(400, "Invalid base62 id");
      if (sub === "tracks" && mode === "development") return errorReply(403, "Forbidden");
      const p = playlists.get(id);
      if (!p) return errorReply(404, "Resource not found");
      const mayReadItems = mode !== "development" || readsItems(token, p);
      if (sub && !mayReadItems) return errorReply(403, "Forbidden");
      return sub ? itemsPage(p, sub, params) : playlistObject(p, mayReadItems);
    }
    if (path === "/v1/me") {
      return token === "user"
        ? jsonReply(200, user)
        : errorReply(401, "This request requires user authentication.");
    }
    m = /^\/v1\/artists\/([^/]+)$/.exec(path);
    if (m) {
      const id = m[1]!;
      if (!ID.test(id)) return errorReply(400, "invalid id");
      const artist = artists.get(id);
      return artist ? jsonReply(200, shape(artist)) : errorReply(404, "Resource not found");
    }
    if (path === "/v1/artists") return severalArtists(params);
    return errorReply(404, "Service not found");
  };
}
