// When the user's authorization nears its six-month expiry
// (functions/core/spotify/authorization-expiry.ts): silent until 30 days before, then a
// warning every run that says how to re-authorize; nothing when the time is unknown.

import { describe, expect, it } from "vitest";
import { authorizationExpiryWarning } from "../../../functions/core/spotify/authorization-expiry";

const AUTHORIZED_AT = "2026-06-01T12:00:00Z";
const EXPIRES_AT = Date.parse("2026-12-01T12:00:00Z"); // six calendar months later
const DAY = 24 * 60 * 60 * 1000;

describe("Function: authorizationExpiryWarning", () => {
  it("says nothing 31 days before the expiry", () => {
    expect(authorizationExpiryWarning(AUTHORIZED_AT, new Date(EXPIRES_AT - 31 * DAY))).toBe(
      undefined,
    );
  });

  it("warns 29 days before the expiry, naming the date and how to re-authorize", () => {
    const expiry = authorizationExpiryWarning(AUTHORIZED_AT, new Date(EXPIRES_AT - 29 * DAY));
    expect(expiry).toMatchObject({ expiresAt: "2026-12-01T12:00:00.000Z", daysLeft: 29 });
    expect(expiry!.warning).toContain("expires on 2026-12-01T12:00:00.000Z (29 days left)");
    expect(expiry!.warning).toContain("npm run authorize");
  });

  it("warns from exactly 30 days before, and says so once it has expired", () => {
    expect(
      authorizationExpiryWarning(AUTHORIZED_AT, new Date(EXPIRES_AT - 30 * DAY)),
    ).toMatchObject({ daysLeft: 30 });
    const expired = authorizationExpiryWarning(AUTHORIZED_AT, new Date(EXPIRES_AT + DAY));
    expect(expired!.warning).toContain("expired on 2026-12-01T12:00:00.000Z");
  });

  it("says nothing when the authorization time is unknown", () => {
    expect(authorizationExpiryWarning(undefined, new Date(EXPIRES_AT))).toBe(undefined);
  });
});
