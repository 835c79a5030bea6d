// Spotify Web API payloads for tests that play Spotify themselves (a fake server, an injected
// fetch, a raw layer written by hand): ids, artists, tracks, playlist entries, items pages with
// `next` links, playlist metadata, token answers and error bodies, shaped as the API sends
// them in 2026. Every builder is deterministic in its arguments and has options for the fields
// a test asserts on, so each test states the data it depends on and inherits the rest.

export const SPOTIFY_API = "https://api.spotify.com/v1";

/** A valid 22-character base-62 id: the prefix, `n` in six digits, then Q (`ar000007QQQ…`). */
export const sid = (prefix: string, n: number): string =>
  `${prefix}${String(n).padStart(6, "0")}`.padEnd(22, "Q");

const links = (kind: string, id: string) => ({
  external_urls: { spotify: `https://open.spotify.com/${kind}/${id}` },
  href: `${SPOTIFY_API}/${kind}s/${id}`,
});

/** An artist as a track or an album credits it (Spotify's simplified artist object). */
export function simplifiedArtist(id: string) {
  return {
    ...links("artist", id),
    id,
    name: `Artist ${id}`,
    type: "artist",
    uri: `spotify:artist:${id}`,
  };
}

export interface ArtistOptions {
  genres?: readonly string[];
  /** Absent unless given, as for development-mode apps (and so is `followers`). */
  popularity?: number;
  followers?: number;
}

/** An artist as `GET /artists/{id}` answers it, and as each element of `GET /artists?ids=`. */
export function artist(id: string, options: ArtistOptions = {}) {
  const { external_urls, href, name, type, uri } = simplifiedArtist(id);
  return {
    external_urls,
    ...(options.followers === undefined
      ? {}
      : { followers: { href: null, total: options.followers } }),
    genres: [...(options.genres ?? [])],
    href,
    id,
    images: [],
    name,
    ...(options.popularity === undefined ? {} : { popularity: options.popularity }),
    type,
    uri,
  };
}

export interface TrackOptions {
  /**
   * Numbers of the credited artists, ids `sid("ar", k)`; the first is the album's artist.
   * Default: `n % 7` and `n % 7 + 100`, so numbered tracks share artists as playlists do.
   */
  artists?: readonly number[];
  /** Number of the track's album, id `sid("al", k)`; default `n`. */
  album?: number;
  /** Widths of the album's square images; default none. */
  albumImages?: readonly number[];
  name?: string;
  /** Absent unless given, as for development-mode apps. */
  popularity?: number;
}

/** Track `n`, id `sid("tr", n)`, as a playlist entry or `GET /tracks/{id}` carries it. */
export function track(n: number, options: TrackOptions = {}) {
  const id = sid("tr", n);
  const albumId = sid("al", options.album ?? n);
  const artists = (options.artists ?? [n % 7, (n % 7) + 100]).map((k) =>
    simplifiedArtist(sid("ar", k)),
  );
  return {
    album: {
      album_type: "album",
      artists: artists.slice(0, 1),
      ...links("album", albumId),
      id: albumId,
      images: (options.albumImages ?? []).map((width) => ({
        height: width,
        url: `https://i.scdn.co/image/${albumId}${width}`,
        width,
      })),
      name: `Album ${options.album ?? n}`,
      release_date: "2019-03",
      release_date_precision: "month",
      total_tracks: 11,
      type: "album",
      uri: `spotify:album:${albumId}`,
    },
    artists,
    disc_number: 1,
    duration_ms: 183_000 + n,
    explicit: false,
    external_ids: { isrc: `GBUM7190${String(n).padStart(4, "0")}` },
    ...links("track", id),
    id,
    is_local: false,
    name: options.name ?? `Song ${n}, with a comma`,
    ...(options.popularity === undefined ? {} : { popularity: options.popularity }),
    track_number: (n % 11) + 1,
    type: "track",
    uri: `spotify:track:${id}`,
  };
}

/** Where an entry holds its track: `item` since 2026, `track` before. */
export type EntryShape = "item" | "track";

export interface EntryOptions {
  shape?: EntryShape;
  addedAt?: string;
}

/** A playlist entry (an element of an items page) holding `content`, by the playlist's owner. */
export function playlistEntry(content: unknown, options: EntryOptions = {}) {
  return {
    added_at: options.addedAt ?? "2026-11-20T08:15:00Z",
    added_by: { id: "pipelineowner", type: "user", uri: "spotify:user:pipelineowner" },
    is_local: false,
    primary_color: null,
    [options.shape ?? "item"]: content,
    video_thumbnail: { url: null },
  };
}

/** An entry whose track was removed from Spotify: `item` is null. */
export function removedEntry() {
  return { added_at: "2026-01-01T00:00:00Z", is_local: false, item: null };
}

/** An entry for a file on the owner's device: no ids anywhere. */
export function localFileEntry(options: { name: string; addedAt: string; shape?: EntryShape }) {
  return {
    added_at: options.addedAt,
    is_local: true,
    [options.shape ?? "item"]: {
      artists: [{ id: null, name: "Me" }],
      id: null,
      is_local: true,
      name: options.name,
      type: "track",
    },
  };
}

export interface ItemsPageOptions {
  playlistId: string;
  offset: number;
  /** The playlist's entry count, which decides `next`. */
  total: number;
  limit?: number;
  /** The API base the `href`, `next` and `previous` links name. */
  host?: string;
  /** The page's entries; default: `playlistEntry(track(position), { shape })` for each position. */
  items?: readonly unknown[];
  shape?: EntryShape;
}

/** A page of `GET /playlists/{id}/items`, with absolute links as Spotify gives them. */
export function itemsPage(options: ItemsPageOptions) {
  const { playlistId, offset, total, limit = 50, host = SPOTIFY_API } = options;
  const at = (o: number) => `${host}/playlists/${playlistId}/items?offset=${o}&limit=${limit}`;
  const count = Math.max(0, Math.min(limit, total - offset));
  const items =
    options.items ??
    Array.from({ length: count }, (_, i) =>
      playlistEntry(track(offset + i), { shape: options.shape ?? "item" }),
    );
  return {
    href: at(offset),
    items: [...items],
    limit,
    next: offset + limit < total ? at(offset + limit) : null,
    offset,
    previous: offset > 0 ? at(Math.max(0, offset - limit)) : null,
    total,
  };
}

export interface PlaylistOptions {
  /** The entry count its `items` stub gives. */
  total: number;
  name?: string;
  snapshotId?: string;
}

/** A playlist as `GET /playlists/{id}` answers it: metadata and an `items` stub. */
export function playlistObject(id: string, options: PlaylistOptions) {
  return {
    collaborative: false,
    description: "Hourly snapshot test playlist",
    ...links("playlist", id),
    followers: { href: null, total: 12 },
    id,
    images: [],
    name: options.name ?? `Playlist ${id}`,
    owner: { display_name: "Pipeline Owner", id: "pipelineowner", type: "user" },
    public: true,
    snapshot_id: options.snapshotId ?? "AAAAB2T0wnXk3kWl1CPo9a+T8xTBCOZP",
    items: { href: `${SPOTIFY_API}/playlists/${id}/items`, total: options.total },
    type: "playlist",
    uri: `spotify:playlist:${id}`,
  };
}

/** The accounts service's answer to a token request; `extra` adds e.g. a rotated refresh token. */
export function tokenAnswer(accessToken: string, extra: Record<string, unknown> = {}) {
  return { access_token: accessToken, token_type: "Bearer", expires_in: 3600, ...extra };
}

/** The Web API's error body, e.g. `{ error: { status: 404, message: "Resource not found" } }`. */
export function spotifyError(status: number, message: string, extra: Record<string, unknown> = {}) {
  return { error: { status, message, ...extra } };
}
