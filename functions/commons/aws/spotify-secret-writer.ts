// Stores Spotify credentials back into the secret when Spotify rotates the refresh token:
// the old token stops working, so losing the new one would break every later run.

import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SpotifyCredentials } from "../spotify";
import { clearSpotifySecretCache } from "../spotify-credentials";

export function spotifySecretWriter(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
) {
  return async (credentials: SpotifyCredentials): Promise<void> => {
    await client.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(credentials) }),
    );
    clearSpotifySecretCache(secretId);
  };
}
