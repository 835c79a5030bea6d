// An in-memory Spotify for the extraction tests, behind an injected fetch and driven through
// the real client: playlists and artists a test sets, pages of 50 with `next` links on
// api.spotify.com, a development-mode switch (no batch artists) and paths that fail with 503.
// Also the playlists those tests serve.

import { SpotifyClient } from "../../functions/core/spotify/client";
import {
  artist,
  itemsPage,
  localFileEntry,
  playlistEntry,
  playlistObject,
  removedEntry,
  spotifyError,
  tokenAnswer,
  track,
} from "./spotify-payloads";

/** Entry `n` of a test playlist: track `n` by artists `a` and `b`, named to need JSON escapes. */
export const entry = (n: number, a: number, b: number) =>
  playlistEntry(track(n, { artists: [a, b], name: `Track ${n}, "live"\nbonus` }));

export interface ServedPlaylist {
  entries: unknown[];
}

/**
 * An in-memory Spotify answering like the real one (pages of 50 with `next` links on
 * api.spotify.com). `batchArtists: false` behaves like a development-mode app.
 */
export class InMemorySpotify {
  playlists = new Map<string, ServedPlaylist>();
  artists = new Set<string>();
  batchArtists = true;
  /** Request paths that fail with a 503 every time (to simulate an outage mid-extraction). */
  failing = new Set<string>();
  /** Playlists served as another owner's in development mode: metadata, but 403 on items. */
  itemsForbidden = new Set<string>();
  readonly paths: string[] = [];

  readonly fetch: typeof fetch = async (input) => {
    const url = new URL(String(input));
    if (url.pathname === "/api/token") return json(200, tokenAnswer("BQD-fake-token"));
    const path = url.pathname.replace(/^\/v1/, "");
    this.paths.push(`${path}${url.search}`);
    if (this.failing.has(`${path}${url.search}`))
      return json(503, spotifyError(503, "Service unavailable"));
    const [, kind, id, sub] = path.split("/");
    if (kind === "playlists" && id) {
      const playlist = this.playlists.get(id);
      if (!playlist) return json(404, spotifyError(404, "Resource not found"));
      const total = playlist.entries.length;
      if (sub === "items") {
        if (this.itemsForbidden.has(id)) return json(403, spotifyError(403, "Forbidden"));
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 50);
        const items = playlist.entries.slice(offset, offset + limit);
        return json(200, itemsPage({ playlistId: id, offset, limit, total, items }));
      }
      return json(200, playlistObject(id, { total, snapshotId: `snap-${total}` }));
    }
    if (kind === "artists" && id) {
      return this.artists.has(id)
        ? json(200, artist(id))
        : json(404, spotifyError(404, "Resource not found"));
    }
    if (kind === "artists") {
      if (!this.batchArtists) return json(403, spotifyError(403, "Forbidden"));
      const ids = url.searchParams.get("ids")!.split(",");
      return json(200, { artists: ids.map((a) => (this.artists.has(a) ? artist(a) : null)) });
    }
    return json(404, spotifyError(404, "Service not found"));
  };

  client(origin = "http://127.0.0.1:9"): SpotifyClient {
    return new SpotifyClient({
      credentials: { clientId: "client-id", clientSecret: "client-secret-value" },
      apiBaseUrl: `${origin}/v1`,
      accountsBaseUrl: origin,
      fetch: this.fetch,
      sleep: async () => {},
      maxAttempts: 2,
    });
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** 120 entries (3 pages) by artists 0..9, plus a removed entry and a local file. */
export function bigPlaylist(count = 120): ServedPlaylist {
  const entries: unknown[] = Array.from({ length: count }, (_, n) =>
    entry(n, n % 10, (n + 3) % 10),
  );
  entries[7] = removedEntry();
  entries[8] = localFileEntry({ name: "rip.mp3", addedAt: "2015-02-01T00:00:00Z" });
  return { entries };
}
