// The stored credentials' one parser (functions/commons/spotify-credentials.ts), shared by the
// AWS secret and the local credentials file: the secret as it was before authorize existed
// still parses, the fields authorize adds are read, a PKCE authorization needs no secret, and
// every refusal names the field, never a value.

import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../functions/commons/errors";
import { parseSpotifyCredentials } from "../../functions/commons/spotify-credentials";

const SECRET = "c3VwZXJzZWNyZXQtY2xpZW50LXNlY3JldA";

describe("Function: parseSpotifyCredentials", () => {
  it("reads the secret as it was before authorize: {clientId, clientSecret, refreshToken?}", () => {
    expect(
      parseSpotifyCredentials({ clientId: "id", clientSecret: SECRET }, "Spotify secret"),
    ).toEqual({
      clientId: "id",
      clientSecret: SECRET,
    });
  });

  it("reads what authorize stores, with or without a client secret (PKCE)", () => {
    const stored = {
      clientId: "id",
      refreshToken: "AQ-refresh",
      authorizedAt: "2026-12-01T10:00:00.000Z",
      scopes: ["playlist-read-private", "playlist-read-collaborative"],
    };
    expect(parseSpotifyCredentials(stored, "file")).toEqual(stored);
    expect(parseSpotifyCredentials({ ...stored, clientSecret: SECRET }, "file")).toEqual({
      ...stored,
      clientSecret: SECRET,
    });
  });

  it.each([
    [{ clientId: "id" }, "file has no clientSecret (needed unless a refreshToken"],
    [{ clientSecret: SECRET }, "file has no clientId"],
    [
      { clientId: "id", clientSecret: SECRET, authorizedAt: "last June" },
      "authorizedAt that is not an ISO 8601 time",
    ],
    [
      { clientId: "id", clientSecret: SECRET, scopes: "playlist-read-private" },
      "scopes that are not a list",
    ],
    [{ clientId: "id", clientSecret: 42 }, "clientSecret that is not a non-empty string"],
    [[SECRET], "must be a JSON object"],
  ])("refuses %j, naming what is wrong and no value", (value, message) => {
    let error: unknown;
    try {
      parseSpotifyCredentials(value, "file");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain(SECRET);
  });
});
