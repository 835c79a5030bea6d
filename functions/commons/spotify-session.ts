// Keeps one SpotifyClient per credentials for the life of the container, so the access token
// is reused across warm invocations instead of fetched on every call.

import type { SpotifyClientOptions } from "../core/spotify/client";
import { SpotifyClient } from "../core/spotify/client";
import type { SpotifyCredentials } from "./ports";

export type SpotifyEndpoints = Omit<SpotifyClientOptions, "credentials">;

export function spotifySession(endpoints: SpotifyEndpoints = {}) {
  let current: { credentials: SpotifyCredentials; client: SpotifyClient } | undefined;
  return (credentials: SpotifyCredentials): SpotifyClient => {
    const same =
      current &&
      current.credentials.clientId === credentials.clientId &&
      current.credentials.clientSecret === credentials.clientSecret &&
      current.credentials.refreshToken === credentials.refreshToken;
    if (!same) current = { credentials, client: new SpotifyClient({ ...endpoints, credentials }) };
    return current!.client;
  };
}
