// The Web API as the rest of the client sees it: URLs on the configured base (the real API
// or a local emulator), their public-API form for raw manifests, the short endpoint name
// errors quote, and authorized GETs, on which a 401 renews the token once. A GET of a
// playlist resource also says what 403/404 mean there: that playlist cannot be read.

import { PlaylistUnavailableError, SpotifyAuthError } from "../../commons/errors";
import type { SpotifyResponse } from "../../commons/spotify";
import { isSuccess } from "./answers";
import type { Redactor } from "./redaction";
import type { TokenSource } from "./token-source";
import type { SpotifyTransport } from "./transport";

export const DEFAULT_API_BASE_URL = "https://api.spotify.com/v1";

export const stripTrailingSlash = (url: string): string => url.replace(/\/+$/, "");

export interface SpotifyApiOptions {
  apiBase: URL;
  transport: SpotifyTransport;
  tokens: TokenSource;
  redactor: Redactor;
}

export class SpotifyApi {
  private readonly base: string;

  constructor(private readonly options: SpotifyApiOptions) {
    this.base = stripTrailingSlash(options.apiBase.href);
  }

  /** The base's path without a trailing slash, e.g. `/v1`. */
  get basePath(): string {
    return stripTrailingSlash(this.options.apiBase.pathname);
  }

  url(pathAndQuery: string): string {
    return `${this.base}${pathAndQuery}`;
  }

  /** `GET /playlists/{id}/items?limit=50&offset=0`: the URL relative to the API base. */
  endpointOf(method: string, url: string): string {
    return `${method} ${url.startsWith(this.base) ? url.slice(this.base.length) : url}`;
  }

  /** An authorized GET: on a 401 the token is renewed once, then the 401 is final. */
  async get(url: string): Promise<SpotifyResponse> {
    const { transport, tokens, redactor } = this.options;
    const endpoint = this.endpointOf("GET", url);
    for (let renewed = false; ; renewed = true) {
      const token = await tokens.accessToken();
      const result = await transport.exchange({
        method: "GET",
        url,
        endpoint,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
      if (result.status !== 401) return { ...result, canonicalUrl: this.canonicalUrl(url) };
      tokens.invalidate(token);
      if (renewed) {
        throw new SpotifyAuthError(
          `Spotify ${endpoint} answered 401 (${redactor.reasonOf(result)}) even with a newly issued ` +
            "access token: check the app's client credentials and the user's authorization",
        );
      }
    }
  }

  /** A GET on a playlist resource, where 403/404 means that playlist cannot be read. */
  async getPlaylistResource(url: string, playlistId: string): Promise<SpotifyResponse> {
    const { redactor } = this.options;
    const result = await this.get(url);
    if (isSuccess(result.status)) return result;
    const endpoint = this.endpointOf("GET", url);
    if (result.status === 403 || result.status === 404) {
      const hint =
        result.status === 403 && endpoint.includes("/items")
          ? "; in development mode Spotify serves items only for playlists the authorizing user owns or collaborates on"
          : "";
      const reason = redactor.reasonOf(result);
      throw new PlaylistUnavailableError(
        [playlistId],
        `${playlistId}: ${result.status} ${reason} (${endpoint})${hint}`,
        { status: result.status, reason },
      );
    }
    throw redactor.requestError(result, endpoint);
  }

  private canonicalUrl(url: string): string {
    return url.startsWith(this.base)
      ? `${DEFAULT_API_BASE_URL}${url.slice(this.base.length)}`
      : url;
  }
}
