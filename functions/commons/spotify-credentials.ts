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
  return parseSpotifyCredentials(context.spotifyCredentials, "Spotify secret");
}

const SHAPE =
  '{"clientId", "clientSecret"?, "refreshToken"?, "authorizedAt"?, "scopes"?, "accessToken"?, "accessTokenExpiresAt"?}';

/**
 * The one parser of stored credentials, for the AWS secret and the local credentials file
 * alike (`source` names which in messages, which never hold a value). A secret written
 * before `authorizedAt`/`scopes` existed still parses; a client secret may be absent only
 * beside a (PKCE) refresh token, as the client-credentials grant needs one.
 */
export function parseSpotifyCredentials(
  value: unknown,
  source = "Spotify secret",
): SpotifyCredentials {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError(source, `must be a JSON object ${SHAPE}`);
  }
  const {
    clientId,
    clientSecret,
    refreshToken,
    authorizedAt,
    scopes,
    accessToken,
    accessTokenExpiresAt,
  } = value as Record<string, unknown>;
  const optionalText = (field: string, text: unknown): string | undefined => {
    if (text === undefined || text === null) return undefined;
    if (typeof text !== "string" || text === "") {
      throw new ConfigurationError(source, `has a ${field} that is not a non-empty string`);
    }
    return text;
  };
  if (typeof clientId !== "string" || clientId === "") {
    throw new ConfigurationError(source, "has no clientId");
  }
  const secret = optionalText("clientSecret", clientSecret);
  const refresh = optionalText("refreshToken", refreshToken);
  if (!secret && !refresh) {
    throw new ConfigurationError(
      source,
      "has no clientSecret (needed unless a refreshToken from a PKCE authorization is stored)",
    );
  }
  const isoTime = (field: string, text: unknown): string | undefined => {
    const time = optionalText(field, text);
    if (
      time !== undefined &&
      (!/^\d{4}-\d{2}-\d{2}T/.test(time) || Number.isNaN(Date.parse(time)))
    ) {
      throw new ConfigurationError(source, `has an ${field} that is not an ISO 8601 time`);
    }
    return time;
  };
  const at = isoTime("authorizedAt", authorizedAt);
  // The access token the run's extract steps share (core/spotify/shared-token.ts).
  const access = optionalText("accessToken", accessToken);
  const accessExpiresAt = isoTime("accessTokenExpiresAt", accessTokenExpiresAt);
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || !scopes.every((x) => typeof x === "string" && x !== ""))
  ) {
    throw new ConfigurationError(source, "has scopes that are not a list of strings");
  }
  return {
    clientId,
    ...(secret ? { clientSecret: secret } : {}),
    ...(refresh ? { refreshToken: refresh } : {}),
    ...(at ? { authorizedAt: at } : {}),
    ...(scopes ? { scopes: [...(scopes as string[])] } : {}),
    ...(access ? { accessToken: access } : {}),
    ...(accessExpiresAt ? { accessTokenExpiresAt: accessExpiresAt } : {}),
  };
}
