// Keeps one SpotifyClient per credentials for the life of the container, so the access token
// is reused across warm invocations instead of fetched on every call. New credentials (the
// secret was rotated) get a new client.

import type { SpotifyClientSettings, SpotifyCredentials } from "../../commons/spotify";
import { SpotifyClient } from "./client";

export function spotifySession(settings: SpotifyClientSettings = {}) {
  let current: { credentials: SpotifyCredentials; client: SpotifyClient } | undefined;
  return (credentials: SpotifyCredentials): SpotifyClient => {
    const same =
      current &&
      current.credentials.clientId === credentials.clientId &&
      current.credentials.clientSecret === credentials.clientSecret &&
      current.credentials.refreshToken === credentials.refreshToken;
    if (!same) current = { credentials, client: new SpotifyClient({ ...settings, credentials }) };
    return current!.client;
  };
}
