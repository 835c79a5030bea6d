// The emulator's consent screen and its codes: `GET /authorize` as Spotify's accounts service
// answers it, with a scripted user who consents at once (or refuses, when told to), and the
// checks of the `authorization_code` grant that the token service asks for: a code is used
// once, within ten minutes, by the client it was issued to, with the identical redirect URI,
// and, when the request carried a PKCE challenge, with the verifier that hashes to it.

import { createHash, randomBytes } from "node:crypto";
import type { Reply } from "./reply";

export interface AuthorizationOptions {
  clientId: string;
  /**
   * The redirect URIs registered for the app. A loopback URI registered without a port
   * (`http://127.0.0.1/callback`) accepts any port, as Spotify's does.
   */
  redirectUris: readonly string[];
  /** "approve": the scripted user consents; "deny": they press Cancel (`access_denied`). */
  consent: "approve" | "deny";
  now: () => number;
}

/** What a valid code stood for, once exchanged. */
export interface Grant {
  scope: string;
  /** Issued through PKCE: the refresh token it yields is used without a client secret. */
  pkce: boolean;
}

export interface CodeExchange {
  code: string | null;
  redirectUri: string | null;
  clientId: string | null;
  /** The client authenticated with its secret (HTTP Basic or form). */
  clientAuthenticated: boolean;
  codeVerifier: string | null;
}

export interface AuthorizationService {
  /** Answers `GET /authorize?...`: a redirect to the app, or Spotify's error page. */
  authorizePage(params: URLSearchParams): Reply;
  /** Checks an `authorization_code` grant; the grant, or the `invalid_grant` answer's text. */
  exchange(request: CodeExchange): Grant | { error: string; description: string };
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** Spotify's own error page, which the browser shows instead of redirecting anywhere. */
const errorPage = (message: string): Reply => ({
  status: 400,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Oops! Something went wrong, please try again or check out our help area.</h1><p>${message}</p></body></html>`,
});

const redirect = (to: URL): Reply => ({
  status: 302,
  headers: { location: to.toString(), "content-type": "text/html; charset=utf-8" },
  body: "",
});

/** Spotify's rule: exact match, except that a portless loopback registration allows any port. */
export function redirectUriRegistered(uri: string, registered: readonly string[]): boolean {
  if (registered.includes(uri)) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !["127.0.0.1", "[::1]"].includes(url.hostname)) return false;
  const portless = `${url.protocol}//${url.hostname}${url.pathname}${url.search}`;
  return registered.includes(portless);
}

export const pkceChallengeOf = (verifier: string): string =>
  createHash("sha256").update(verifier).digest("base64url");

export function createAuthorizationService(options: AuthorizationOptions): AuthorizationService {
  const codes = new Map<
    string,
    { redirectUri: string; scope: string; challenge?: string; expiresAtMs: number }
  >();

  return {
    authorizePage(params) {
      if (params.get("client_id") !== options.clientId)
        return errorPage("INVALID_CLIENT: Invalid client");
      const redirectUri = params.get("redirect_uri") ?? "";
      if (!redirectUriRegistered(redirectUri, options.redirectUris)) {
        return errorPage("INVALID_CLIENT: Invalid redirect URI");
      }
      const back = new URL(redirectUri);
      const state = params.get("state");
      const answer = (fields: Record<string, string>) => {
        for (const [key, value] of Object.entries(fields)) back.searchParams.set(key, value);
        if (state !== null) back.searchParams.set("state", state);
        return redirect(back);
      };
      if (params.get("response_type") !== "code") {
        return answer({ error: "unsupported_response_type" });
      }
      const method = params.get("code_challenge_method");
      const challenge = params.get("code_challenge") ?? undefined;
      if ((method !== null || challenge !== undefined) && (method !== "S256" || !challenge)) {
        return answer({ error: "invalid_request" });
      }
      if (options.consent === "deny") return answer({ error: "access_denied" });
      const code = `AQ${randomBytes(48).toString("base64url")}`;
      codes.set(code, {
        redirectUri,
        scope: params.get("scope") ?? "",
        ...(challenge ? { challenge } : {}),
        expiresAtMs: options.now() + CODE_LIFETIME_MS,
      });
      return answer({ code });
    },

    exchange(request) {
      const invalid = (description: string) => ({ error: "invalid_grant", description });
      const issued = request.code === null ? undefined : codes.get(request.code);
      // Single use: a code is gone once presented, whether or not the exchange succeeds.
      if (request.code !== null) codes.delete(request.code);
      if (!issued || options.now() >= issued.expiresAtMs) {
        return invalid("Invalid authorization code");
      }
      if (request.clientId !== options.clientId) return invalid("Invalid client");
      if (request.redirectUri !== issued.redirectUri) return invalid("Invalid redirect URI");
      if (issued.challenge !== undefined) {
        if (!request.codeVerifier) return invalid("code_verifier required");
        if (pkceChallengeOf(request.codeVerifier) !== issued.challenge) {
          return invalid("code_verifier was incorrect");
        }
        return { scope: issued.scope, pkce: !request.clientAuthenticated };
      }
      if (!request.clientAuthenticated) {
        return { error: "invalid_client", description: "Invalid client secret" };
      }
      return { scope: issued.scope, pkce: false };
    },
  };
}
