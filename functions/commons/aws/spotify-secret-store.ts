// The Spotify secret as the credentials store of a run's extract Lambdas: read fresh (not
// from Middy's cache) when an invocation needs a token, written when one refreshes. The
// secret then holds the current access token and its expiry beside the refresh token, so the
// other invocations use that token instead of refreshing again, and a refresh token Spotify
// rotated is stored before anything relies on it (the old one stops working).

import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { SpotifyCredentials, SpotifyCredentialsStore } from "../spotify";
import { clearSpotifySecretCache, parseSpotifyCredentials } from "../spotify-credentials";

export function spotifySecretStore(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): SpotifyCredentialsStore {
  return {
    async load() {
      const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      let value: unknown;
      try {
        value = JSON.parse(answer.SecretString ?? "");
      } catch {
        value = undefined; // named by the parser, without the value
      }
      return parseSpotifyCredentials(value);
    },
    async save(credentials: SpotifyCredentials) {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: JSON.stringify(credentials),
        }),
      );
      clearSpotifySecretCache(secretId);
    },
  };
}
