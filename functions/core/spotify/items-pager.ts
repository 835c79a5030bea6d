// Paging through `GET /playlists/{id}/items` by following `next` until it is null. `next` is
// untrusted: it is re-based onto the configured API base (so the token only ever goes to that
// host, and recorded pages that say https://api.spotify.com replay against an emulator), it
// must point at the same playlist's items, and an offset seen before, an unreadable offset or
// an empty page that points on stop the paging instead of looping forever.

import { SpotifyRequestError } from "../../commons/errors";
import type { SpotifyResponse, SpotifyWarning } from "../../commons/spotify";
import { isObject } from "../../commons/json";
import type { SpotifyApi } from "./api";

/** `/items` serves at most 50 entries per page. */
export const ITEMS_PAGE_LIMIT = 50;

/**
 * Sent on every items request: without it Spotify may return podcast episodes in a
 * track-like shape, which the transform would take for tracks.
 */
export const ADDITIONAL_TYPES = "track,episode";

/** Every page of a playlist's items, in order; `playlistId` is already checked. */
export async function* playlistItemPages(
  api: SpotifyApi,
  playlistId: string,
  warn: SpotifyWarning,
  embeddedFirstPage?: unknown,
): AsyncGenerator<SpotifyResponse> {
  let url: string | undefined = api.url(
    `/playlists/${playlistId}/items?limit=${ITEMS_PAGE_LIMIT}&offset=0&additional_types=${ADDITIONAL_TYPES}`,
  );
  const seenOffsets = new Set<number>();
  let declaredTotal: number | undefined;
  let received = 0;
  // The playlist object's embedded first page counts as read: go on from its `next`.
  if (isEmbeddedFirstPage(embeddedFirstPage)) {
    const page = embeddedFirstPage;
    seenOffsets.add(0);
    if (typeof page.total === "number") declaredTotal = page.total;
    received = page.items.length;
    const endpoint = `${api.endpointOf("GET", api.url(`/playlists/${playlistId}`))} (items)`;
    if (page.next !== null && page.next !== undefined && typeof page.next !== "string") {
      throw new SpotifyRequestError(200, endpoint, "next is neither a URL nor null");
    }
    if (typeof page.next === "string" && page.items.length === 0) {
      throw new SpotifyRequestError(200, endpoint, "an empty page points to a next");
    }
    url =
      typeof page.next === "string" ? rebaseNext(api, page.next, playlistId, endpoint) : undefined;
  }
  while (url !== undefined) {
    const endpoint = api.endpointOf("GET", url);
    const offset = Number(new URL(url).searchParams.get("offset") ?? "0");
    if (!Number.isInteger(offset) || offset < 0) {
      throw new SpotifyRequestError(200, endpoint, "the page offset is not a whole number");
    }
    // A server that hands back an offset we already read would page forever.
    if (seenOffsets.has(offset)) {
      throw new SpotifyRequestError(200, endpoint, `next loops back to offset ${offset}`);
    }
    seenOffsets.add(offset);

    const response = await api.getPlaylistResource(url, playlistId);
    const page = response.json;
    if (!isObject(page) || !Array.isArray(page.items)) {
      throw new SpotifyRequestError(response.status, endpoint, "the page has no items array");
    }
    if (declaredTotal === undefined && typeof page.total === "number") declaredTotal = page.total;
    received += page.items.length;
    yield response;

    if (page.next === null || page.next === undefined) break;
    if (typeof page.next !== "string") {
      throw new SpotifyRequestError(response.status, endpoint, "next is neither a URL nor null");
    }
    if (page.items.length === 0) {
      throw new SpotifyRequestError(response.status, endpoint, "an empty page points to a next");
    }
    url = rebaseNext(api, page.next, playlistId, endpoint);
  }
  // Entries can change while we page (the playlist is live): keep what was received and
  // let the transform account for every entry, but leave a trace.
  if (declaredTotal !== undefined && declaredTotal !== received) {
    warn("playlist items total does not match the entries received", {
      playlistId,
      declaredTotal,
      received,
    });
  }
}

/**
 * Takes the path (after the API prefix) and query of a `next` URL and applies them to the
 * configured base: recorded pages that say https://api.spotify.com replay against a local
 * emulator, and no `next` can send the token to another host.
 */
function rebaseNext(api: SpotifyApi, next: string, playlistId: string, endpoint: string): string {
  let parsed: URL;
  try {
    parsed = new URL(next);
  } catch {
    throw new SpotifyRequestError(200, endpoint, `next is not a URL: ${next.slice(0, 100)}`);
  }
  const basePath = api.basePath;
  let path = parsed.pathname;
  if (basePath && path.startsWith(`${basePath}/`)) path = path.slice(basePath.length);
  else if (path.startsWith("/v1/")) path = path.slice("/v1".length);
  const expected = `/playlists/${playlistId}/items`;
  if (path !== expected) {
    throw new SpotifyRequestError(
      200,
      endpoint,
      `next points to ${parsed.pathname.slice(0, 100)}, not to this playlist's items`,
    );
  }
  // Followed as given (locale=* and all), with additional_types added when the link lacks it
  // (the embedded first page's `next` comes from a request that did not carry it).
  const search = parsed.searchParams.has("additional_types")
    ? parsed.search
    : `${parsed.search ? `${parsed.search}&` : "?"}additional_types=${ADDITIONAL_TYPES}`;
  return api.url(`${path}${search}`);
}

/** A full paging object (`{items: [...], offset: 0, next}`), not the `{href, total}` stub. */
export function isEmbeddedFirstPage(
  value: unknown,
): value is { items: unknown[]; offset: 0; next?: unknown; total?: unknown } {
  return isObject(value) && Array.isArray(value.items) && value.offset === 0;
}
