// The emulator's accounts service: `POST /api/token` with the client-credentials, refresh-token
// and authorization-code grants (codes from authorization.ts), the access tokens issued so far,
// whose user (if any) and their expiry, the refresh tokens (rotated on request), and the bearer
// check in front of every `/v1` request. Tokens and
// credentials derive from fixed strings, so the n-th token of every emulator is the same and
// runs stay byte-comparable.

import { createHash } from "node:crypto";
import type { AuthorizationService } from "./authorization";
import { errorReply, jsonReply, type Reply } from "./reply";

export interface EmulatorCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface TokenServiceOptions {
  credentials: EmulatorCredentials;
  /**
   * The refresh grant then also returns a new refresh token: `true` keeps both valid,
   * `"single-use"` spends the old one as Spotify does for PKCE clients (reusing it is
   * `invalid_grant`).
   */
  rotateRefreshToken: boolean | "single-use";
  /** The configured refresh token came from a PKCE authorization: refreshed without a secret. */
  pkceRefreshToken: boolean;
  /** The consent screen's codes, for the authorization-code grant. */
  authorization: AuthorizationService;
  /** Clock for token expiry (ms since epoch). */
  now: () => number;
}

export interface TokenService {
  /** Answers a request to `/api/token`; `form` is the urlencoded body the client sent. */
  tokenEndpoint(method: string, authorization: string | undefined, form: string): Reply;
  /** The 401 to answer when the bearer token may not call `/v1`, else undefined. */
  authorize(authorization: string | undefined): Reply | undefined;
  /** Whether an accepted bearer token carries a user (authorization code) or only the app. */
  tokenKind(authorization: string | undefined): "user" | "app" | undefined;
  /** Every token issued so far now answers "The access token expired". */
  expireTokens(): void;
  /** The consent screen whose codes the authorization-code grant accepts. */
  readonly authorization: AuthorizationService;
}

const TOKEN_LIFETIME_S = 3600;
const USER_SCOPE = "playlist-read-private playlist-read-collaborative";

const digest = (text: string) => createHash("sha256").update(text).digest();

export function defaultCredentials(): EmulatorCredentials {
  return {
    clientId: digest("spotify-emulator:client-id").toString("hex").slice(0, 32),
    clientSecret: digest("spotify-emulator:client-secret").toString("hex").slice(0, 32),
    refreshToken: `AQ${digest("spotify-emulator:refresh:0").toString("base64url")}${digest("spotify-emulator:refresh:0:b").toString("base64url")}`,
  };
}

/** Opaque, Spotify-looking, and the same for the n-th token of every emulator. */
const accessToken = (n: number) =>
  `BQ${digest(`spotify-emulator:access:${n}`).toString("base64url")}${digest(`spotify-emulator:access:${n}:b`).toString("base64url")}`;

/** The client as Spotify reads it: HTTP Basic when present, else the form fields. */
function clientOf(authorization: string | undefined, form: URLSearchParams) {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? "");
  if (!basic) return { clientId: form.get("client_id"), clientSecret: form.get("client_secret") };
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return {
    clientId: colon < 0 ? decoded : decoded.slice(0, colon),
    clientSecret: colon < 0 ? "" : decoded.slice(colon + 1),
  };
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const { credentials, now } = options;
  /** Every valid refresh token, and whether it was issued to a PKCE client (no secret). */
  const refreshTokens = new Map([[credentials.refreshToken, { pkce: options.pkceRefreshToken }]]);
  const tokens = new Map<string, { expiresAtMs: number; revoked: boolean; user: boolean }>();
  let issued = 0;
  let codeGrants = 0;
  let rotations = 0;

  function issue(user: boolean, extra: Record<string, string>): Reply {
    const token = accessToken(issued++);
    tokens.set(token, { expiresAtMs: now() + TOKEN_LIFETIME_S * 1000, revoked: false, user });
    return jsonReply(200, {
      access_token: token,
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_S,
      ...extra,
    });
  }

  function refreshGrant(refresh: string | null, clientAuthenticated: boolean): Reply {
    const known = refresh === null ? undefined : refreshTokens.get(refresh);
    if (!known) {
      return jsonReply(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
    }
    if (!clientAuthenticated && !known.pkce) return invalidClient();
    if (!options.rotateRefreshToken) return issue(true, { scope: USER_SCOPE });
    const rotated = `AQ${digest(`spotify-emulator:refresh:${++rotations}`).toString("base64url")}`;
    if (options.rotateRefreshToken === "single-use") refreshTokens.delete(refresh!);
    refreshTokens.set(rotated, known);
    return issue(true, { refresh_token: rotated, scope: USER_SCOPE });
  }

  function codeGrant(form: URLSearchParams, clientId: string, clientAuthenticated: boolean) {
    const grant = options.authorization.exchange({
      code: form.get("code"),
      redirectUri: form.get("redirect_uri"),
      clientId,
      clientAuthenticated,
      codeVerifier: form.get("code_verifier"),
    });
    if ("error" in grant) {
      return jsonReply(400, { error: grant.error, error_description: grant.description });
    }
    const refresh = `AQ${digest(`spotify-emulator:refresh:code:${codeGrants++}`).toString("base64url")}`;
    refreshTokens.set(refresh, { pkce: grant.pkce });
    return issue(true, { refresh_token: refresh, scope: grant.scope });
  }

  return {
    tokenEndpoint(method, authorization, body) {
      if (method !== "POST") return errorReply(405, "Method not allowed");
      const form = new URLSearchParams(body);
      const { clientId, clientSecret } = clientOf(authorization, form);
      // A client that sends a secret must send the right one; one that sends none (PKCE) is
      // only named, which the code and refresh grants may accept and client credentials never.
      if (clientId !== credentials.clientId) return invalidClient();
      const authenticated = Boolean(clientSecret);
      if (authenticated && clientSecret !== credentials.clientSecret) return invalidClient();
      const grant = form.get("grant_type");
      if (grant === "client_credentials") return authenticated ? issue(false, {}) : invalidClient();
      if (grant === "refresh_token") return refreshGrant(form.get("refresh_token"), authenticated);
      if (grant === "authorization_code") return codeGrant(form, clientId, authenticated);
      return jsonReply(400, {
        error: "unsupported_grant_type",
        error_description:
          grant === null
            ? "grant_type parameter is missing"
            : `grant_type must be client_credentials, refresh_token or authorization_code`,
      });
    },

    authorize(authorization) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
      if (!bearer) return errorReply(401, "No token provided");
      const token = tokens.get(bearer[1]!);
      if (!token) return errorReply(401, "Invalid access token");
      if (token.revoked || now() >= token.expiresAtMs) {
        return errorReply(401, "The access token expired");
      }
      return undefined;
    },

    tokenKind(authorization) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
      const token = bearer ? tokens.get(bearer[1]!) : undefined;
      return token === undefined ? undefined : token.user ? "user" : "app";
    },

    expireTokens() {
      for (const token of tokens.values()) token.revoked = true;
    },

    authorization: options.authorization,
  };
}

const invalidClient = () =>
  jsonReply(400, { error: "invalid_client", error_description: "Invalid client" });
