// The emulator's accounts service: `POST /api/token` with the client-credentials and
// refresh-token grants, the access tokens issued so far and their expiry, the refresh tokens
// (rotated on request), and the bearer check in front of every `/v1` request. Tokens and
// credentials derive from fixed strings, so the n-th token of every emulator is the same and
// runs stay byte-comparable.

import { createHash } from "node:crypto";
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
  /** Clock for token expiry (ms since epoch). */
  now: () => number;
}

export interface TokenService {
  /** Answers a request to `/api/token`; `form` is the urlencoded body the client sent. */
  tokenEndpoint(method: string, authorization: string | undefined, form: string): Reply;
  /** The 401 to answer when the bearer token may not call `/v1`, else undefined. */
  authorize(authorization: string | undefined): Reply | undefined;
  /** Every token issued so far now answers "The access token expired". */
  expireTokens(): void;
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
  const refreshTokens = new Set([credentials.refreshToken]);
  const tokens = new Map<string, { expiresAtMs: number; revoked: boolean }>();
  let issued = 0;
  let rotations = 0;

  function issue(extra: Record<string, string>): Reply {
    const token = accessToken(issued++);
    tokens.set(token, { expiresAtMs: now() + TOKEN_LIFETIME_S * 1000, revoked: false });
    return jsonReply(200, {
      access_token: token,
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_S,
      ...extra,
    });
  }

  function refreshGrant(refresh: string | null): Reply {
    if (refresh === null || !refreshTokens.has(refresh)) {
      return jsonReply(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
    }
    if (!options.rotateRefreshToken) return issue({ scope: USER_SCOPE });
    const rotated = `AQ${digest(`spotify-emulator:refresh:${++rotations}`).toString("base64url")}`;
    if (options.rotateRefreshToken === "single-use") refreshTokens.delete(refresh);
    refreshTokens.add(rotated);
    return issue({ refresh_token: rotated, scope: USER_SCOPE });
  }

  return {
    tokenEndpoint(method, authorization, body) {
      if (method !== "POST") return errorReply(405, "Method not allowed");
      const form = new URLSearchParams(body);
      const { clientId, clientSecret } = clientOf(authorization, form);
      if (clientId !== credentials.clientId || clientSecret !== credentials.clientSecret) {
        return jsonReply(400, { error: "invalid_client", error_description: "Invalid client" });
      }
      const grant = form.get("grant_type");
      if (grant === "client_credentials") return issue({});
      if (grant === "refresh_token") return refreshGrant(form.get("refresh_token"));
      return jsonReply(400, {
        error: "unsupported_grant_type",
        error_description:
          grant === null
            ? "grant_type parameter is missing"
            : `grant_type must be client_credentials or refresh_token`,
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

    expireTokens() {
      for (const token of tokens.values()) token.revoked = true;
    },
  };
}
