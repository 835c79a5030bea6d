// Access tokens for the API, from the accounts service: the refresh-token grant when the
// credentials carry a user's refresh token (development-mode apps need one), the
// client-credentials grant otherwise. A token is renewed a margin before it expires, parallel
// callers share one token request, a refresh token Spotify rotates is kept (and used from
// then on) for the caller to store, and every secret it has seen is listed for redaction.

import { SpotifyAuthError, SpotifyAuthorizationExpiredError } from "../../commons/errors";
import type { SpotifyCredentials } from "../../commons/spotify";
import { isObject } from "../../commons/json";
import { isSuccess } from "./answers";
import type { Redactor } from "./redaction";
import type { IssuedToken, SharedToken } from "./shared-token";
import type { SpotifyTransport } from "./transport";

export const DEFAULT_ACCOUNTS_BASE_URL = "https://accounts.spotify.com";

/** Renew a token this long before Spotify says it expires, so no request races its expiry. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface TokenSourceOptions {
  credentials: SpotifyCredentials;
  /** Without a trailing slash. */
  accountsBaseUrl: string;
  transport: SpotifyTransport;
  redactor: Redactor;
  /** Clock for token expiry, in epoch milliseconds. */
  now: () => number;
  /** The token shared with the run's other invocations; without it this source refreshes alone. */
  shared?: SharedToken;
}

export class TokenSource {
  private token: IssuedToken | undefined;
  /** Tokens Spotify answered 401 to: never taken from the shared store again. */
  private readonly refused = new Set<string>();
  private inFlight: Promise<string> | undefined;
  /** Every access token this source was given, so none can leak into an error message. */
  private readonly issued = new Set<string>();
  private rotated: string | undefined;
  /** Refresh tokens spent, including ones another invocation stored. */
  private readonly spent = new Set<string>();

  constructor(private readonly options: TokenSourceOptions) {}

  /** A refresh token Spotify issued in place of the configured one. */
  get rotatedRefreshToken(): string | undefined {
    return this.rotated;
  }

  /** Everything that must never appear in a message: the client secret and every token. */
  secrets(): (string | undefined)[] {
    const { credentials } = this.options;
    return [
      credentials.clientSecret,
      credentials.refreshToken,
      this.rotated,
      ...this.spent,
      ...this.issued,
    ];
  }

  async accessToken(): Promise<string> {
    if (this.token && this.options.now() < this.token.expiresAt) return this.token.value;
    // Parallel artist requests share one token request instead of each starting their own.
    this.inFlight ??= this.requestToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Spotify refused `token` (401): the next accessToken() asks for a new one. */
  invalidate(token: string): void {
    this.refused.add(token);
    if (this.token?.value === token) this.token = undefined;
  }

  private async requestToken(): Promise<string> {
    const { shared, credentials } = this.options;
    const token = shared
      ? await shared.obtain((refreshToken) => this.grant(refreshToken), this.refused)
      : await this.grant(this.rotated ?? credentials.refreshToken);
    this.issued.add(token.value);
    this.token = token;
    return token.value;
  }

  /** One token request; a rotated refresh token is kept from then on (and listed for redaction). */
  private async grant(refreshToken: string | undefined): Promise<IssuedToken> {
    const { credentials, redactor, now } = this.options;
    if (refreshToken) this.spent.add(refreshToken);
    const grant = refreshToken ? "refresh_token" : "client_credentials";
    const form = new URLSearchParams({ grant_type: grant });
    if (refreshToken) form.set("refresh_token", refreshToken);
    // A PKCE authorization has no client secret: the refresh grant then names the client in
    // the form instead of authenticating it with HTTP Basic.
    const clientAuth: Record<string, string> = {};
    if (credentials.clientSecret) {
      const basic = `${credentials.clientId}:${credentials.clientSecret}`;
      clientAuth.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
    } else {
      form.set("client_id", credentials.clientId);
    }
    const endpoint = "POST /api/token";
    const result = await this.options.transport.exchange({
      method: "POST",
      url: `${this.options.accountsBaseUrl}/api/token`,
      endpoint,
      headers: {
        ...clientAuth,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
    });
    if (refreshToken && isInvalidGrant(result.json)) {
      throw new SpotifyAuthorizationExpiredError(
        `Spotify refused the refresh token (${redactor.reasonOf(result)}): the user's ` +
          "authorization has expired (refresh tokens last six months) or was revoked; retrying " +
          "cannot help. Authorize again with `npm run authorize` and store the new refresh token " +
          "(in AWS: in the Spotify secret)",
      );
    }
    if (result.status === 400 || result.status === 401 || result.status === 403) {
      const advice = refreshToken
        ? "re-authorize the app and store the new refresh token"
        : "check the client id and secret";
      throw new SpotifyAuthError(
        `Spotify refused the ${grant} grant: ${result.status} ${redactor.reasonOf(result)}; ${advice}`,
      );
    }
    if (!isSuccess(result.status)) throw redactor.requestError(result, endpoint);
    const json = result.json;
    if (!isObject(json) || typeof json.access_token !== "string" || json.access_token === "") {
      throw new SpotifyAuthError(`Spotify's ${grant} grant answered without an access_token`);
    }
    const lifetimeMs = (typeof json.expires_in === "number" ? json.expires_in : 3600) * 1000;
    this.issued.add(json.access_token);
    const rotated =
      typeof json.refresh_token === "string" && json.refresh_token !== refreshToken
        ? json.refresh_token
        : undefined;
    if (rotated) this.rotated = rotated;
    return {
      value: json.access_token,
      expiresAt: now() + Math.max(0, lifetimeMs - Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2)),
      ...(rotated ? { refreshToken: rotated } : {}),
    };
  }
}

/** The accounts service's answer to a refresh token that expired or was revoked. */
function isInvalidGrant(json: unknown): boolean {
  return isObject(json) && json.error === "invalid_grant";
}
