// How the Spotify credentials reach the extract Lambdas: in AWS from the Secrets Manager
// secret through @middy/secrets-manager (fetched once, cached across warm invocations); locally
// from environment variables or the emulator. Either way a middleware puts them on the context.

import type { MiddlewareObj } from "@middy/core";
import secretsManager from "@middy/secrets-manager";
import { clearCache } from "@middy/util";
import type { Context } from "aws-lambda";
import { ConfigurationError } from "./errors";
import type { SpotifyCredentials } from "./spotify";

export interface SpotifyContext extends Context {
  spotifyCredentials?: unknown;
}

const SECRET_CACHE_MS = 15 * 60 * 1000;

export function spotifySecretFromSecretsManager(
  secretId: string,
): MiddlewareObj<unknown, unknown, Error, SpotifyContext> {
  // Middy's cache is process-wide: key it by secret so two secrets never share an entry.
  const cacheKey = `spotify-secret:${secretId}`;
  const fetchSecret = secretsManager({
    fetchData: { spotifyCredentials: secretId },
    setToContext: true,
    cacheExpiry: SECRET_CACHE_MS,
    cacheKey,
  }) as MiddlewareObj<unknown, unknown, Error, SpotifyContext>;
  return {
    ...fetchSecret,
    // Spotify refused the credentials: they may have been rotated since we cached them. Drop
    // the cached secret, so the state machine's single retry of SpotifyAuthError reads it anew.
    onError: (request) => {
      if (request.error?.name === "SpotifyAuthError") clearCache([cacheKey]);
    },
  };
}

/** Dropped after a rotated refresh token is stored, so the next invocation reads it. */
export const clearSpotifySecretCache = (secretId: string): void =>
  clearCache([`spotify-secret:${secretId}`]);

export function spotifySecretFromValue(
  credentials: SpotifyCredentials,
): MiddlewareObj<unknown, unknown, Error, SpotifyContext> {
  return {
    before: (request) => {
      request.context.spotifyCredentials = credentials;
    },
  };
}

/** Checks the secret's shape; messages name the missing field, never a value. */
export function readSpotifyCredentials(context: SpotifyContext): SpotifyCredentials {
  return parseSpotifyCredentials(context.spotifyCredentials);
}

const OPTIONAL_FIELDS = [
  "refreshToken",
  "authorizedAt",
  "accessToken",
  "accessTokenExpiresAt",
] as const;

/** The secret's value, checked; messages name the missing or bad field, never a value. */
export function parseSpotifyCredentials(value: unknown): SpotifyCredentials {
  if (typeof value !== "object" || value === null) {
    throw new ConfigurationError(
      "Spotify secret",
      'must be a JSON object {"clientId", "clientSecret", "refreshToken"?}',
    );
  }
  const fields = value as Record<string, unknown>;
  const { clientId, clientSecret } = fields;
  if (typeof clientId !== "string" || clientId === "") {
    throw new ConfigurationError("Spotify secret", "has no clientId");
  }
  if (typeof clientSecret !== "string" || clientSecret === "") {
    throw new ConfigurationError("Spotify secret", "has no clientSecret");
  }
  const credentials: SpotifyCredentials = { clientId, clientSecret };
  for (const field of OPTIONAL_FIELDS) {
    const given = fields[field];
    if (given === undefined) continue;
    if (typeof given !== "string" || given === "") {
      throw new ConfigurationError("Spotify secret", `has a ${field} that is not a string`);
    }
    const isTime = field === "authorizedAt" || field === "accessTokenExpiresAt";
    if (isTime && Number.isNaN(Date.parse(given))) {
      throw new ConfigurationError("Spotify secret", `has a ${field} that is not an ISO time`);
    }
    credentials[field] = given;
  }
  return credentials;
}
