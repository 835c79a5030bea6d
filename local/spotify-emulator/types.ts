// JSON shapes of the Spotify Web API objects the emulator serves (late-2026 field set, as an
// extended-quota app sees them; development mode strips some fields at serve time). Keys are
// listed alphabetically, the order Spotify's responses use and the generator writes them in,
// so serialized objects are byte-stable.

export interface ExternalUrls {
  spotify?: string;
}

export interface SpotifyImage {
  height: number | null;
  url: string;
  width: number | null;
}

export interface SpotifyFollowers {
  href: null;
  total: number;
}

export interface SpotifyUser {
  display_name?: string | null;
  external_urls: ExternalUrls;
  href: string;
  id: string;
  type: "user";
  uri: string;
}

/** Artist as embedded in tracks and albums. Local files carry null id/href/uri. */
export interface SpotifySimplifiedArtist {
  external_urls: ExternalUrls;
  href: string | null;
  id: string | null;
  name: string;
  type: "artist";
  uri: string | null;
}

/** `GET /v1/artists/{id}`. */
export interface SpotifyArtist {
  external_urls: ExternalUrls;
  followers?: SpotifyFollowers;
  genres: string[];
  href: string;
  id: string;
  images: SpotifyImage[];
  name: string;
  popularity?: number;
  type: "artist";
  uri: string;
}

export type ReleaseDatePrecision = "year" | "month" | "day";

/** Album as embedded in a track. */
export interface SpotifySimplifiedAlbum {
  album_type: "album" | "single" | "compilation" | null;
  artists: SpotifySimplifiedArtist[];
  available_markets?: string[];
  external_urls: ExternalUrls;
  href: string | null;
  id: string | null;
  images: SpotifyImage[];
  name: string;
  release_date: string | null;
  release_date_precision: ReleaseDatePrecision | null;
  total_tracks?: number;
  type: "album";
  uri: string | null;
}

export interface SpotifyTrack {
  album: SpotifySimplifiedAlbum;
  artists: SpotifySimplifiedArtist[];
  available_markets?: string[];
  disc_number: number;
  duration_ms: number;
  explicit: boolean;
  external_ids: { isrc?: string };
  external_urls: ExternalUrls;
  href: string | null;
  id: string | null;
  is_local: boolean;
  name: string;
  popularity?: number;
  preview_url: string | null;
  track_number: number;
  type: "track";
  uri: string;
}

export interface SpotifySimplifiedShow {
  available_markets?: string[];
  copyrights: { text: string; type: string }[];
  description: string;
  explicit: boolean;
  external_urls: ExternalUrls;
  href: string;
  html_description: string;
  id: string;
  images: SpotifyImage[];
  is_externally_hosted: boolean;
  languages: string[];
  media_type: "audio" | "video";
  name: string;
  publisher: string;
  total_episodes: number;
  type: "show";
  uri: string;
}

export interface SpotifyEpisode {
  audio_preview_url: string | null;
  description: string;
  duration_ms: number;
  explicit: boolean;
  external_urls: ExternalUrls;
  href: string;
  html_description: string;
  id: string;
  images: SpotifyImage[];
  is_externally_hosted: boolean;
  is_playable: boolean;
  language: string;
  languages: string[];
  name: string;
  release_date: string;
  release_date_precision: ReleaseDatePrecision;
  show: SpotifySimplifiedShow;
  type: "episode";
  uri: string;
}

/**
 * One playlist entry in the 2026 shape (`item`). The old `/tracks` endpoint serves the same
 * entry with the object under `track` instead. `item` is null for removed or unavailable content.
 */
export interface SpotifyPlaylistEntry {
  added_at: string | null;
  added_by: SpotifyUser | null;
  is_local: boolean;
  item: SpotifyTrack | SpotifyEpisode | null;
  primary_color: string | null;
  video_thumbnail: { url: string | null };
}

/** `GET /v1/playlists/{id}` without its items stub, which the server adds when serving. */
export interface SpotifyPlaylist {
  collaborative: boolean;
  description: string | null;
  external_urls: ExternalUrls;
  followers: SpotifyFollowers;
  href: string;
  id: string;
  images: SpotifyImage[];
  name: string;
  owner: SpotifyUser;
  primary_color: string | null;
  public: boolean | null;
  snapshot_id: string;
  type: "playlist";
  uri: string;
}

export interface CataloguePlaylist {
  playlist: SpotifyPlaylist;
  entries: SpotifyPlaylistEntry[];
  /**
   * User ids who collaborate on a collaborative playlist (never served: Spotify does not list
   * them). In development mode they, and the owner, may read its items.
   */
  collaborators?: string[];
}

/** `GET /v1/me` without the user-read-private/email scopes. */
export interface SpotifyPrivateUser extends SpotifyUser {
  followers: SpotifyFollowers;
  images: SpotifyImage[];
}

/** Everything the emulator can serve. Arrays are in a fixed order so output is deterministic. */
export interface SpotifyCatalogue {
  playlists: CataloguePlaylist[];
  /** Full artist objects, one per artist credited anywhere in the catalogue. */
  artists: SpotifyArtist[];
}

/** Spotify's error body for `/v1` endpoints. */
export interface SpotifyApiErrorBody {
  error: { status: number; message: string; reason?: string };
}
