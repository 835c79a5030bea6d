// Since June 2026 a user's refresh token stops working six months after the user authorized
// the app: the refresh then fails with invalid_grant and the run with
// SpotifyAuthorizationExpiredError. From 30 days before that, every run warns, so someone
// re-authorizes in time. When the authorization time is unknown, nothing can be said.

export const AUTHORIZATION_LIFETIME_MONTHS = 6;
export const AUTHORIZATION_WARNING_DAYS = 30;
export { AUTHORIZATION_EXPIRY_LOG_MESSAGE } from "../../commons/spotify";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AuthorizationExpiry {
  expiresAt: string;
  /** Whole days left, rounded down; negative once expired. */
  daysLeft: number;
  /** What the run summary says. */
  warning: string;
}

/** The warning to give when the authorization expires within 30 days, else undefined. */
export function authorizationExpiryWarning(
  authorizedAt: string | undefined,
  now: Date,
): AuthorizationExpiry | undefined {
  const authorized = authorizedAt === undefined ? NaN : Date.parse(authorizedAt);
  if (Number.isNaN(authorized)) return undefined;
  const expires = new Date(authorized);
  expires.setUTCMonth(expires.getUTCMonth() + AUTHORIZATION_LIFETIME_MONTHS);
  const leftMs = expires.getTime() - now.getTime();
  if (leftMs > AUTHORIZATION_WARNING_DAYS * DAY_MS) return undefined;
  const daysLeft = Math.floor(leftMs / DAY_MS);
  const expiresAt = expires.toISOString();
  const when =
    leftMs > 0 ? `expires on ${expiresAt} (${daysLeft} days left)` : `expired on ${expiresAt}`;
  return {
    expiresAt,
    daysLeft,
    warning:
      `the Spotify user authorization ${when}: run \`npm run authorize\` and store the new ` +
      "refresh token (in AWS: in the Spotify secret) before then",
  };
}
