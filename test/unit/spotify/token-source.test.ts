// Access tokens (functions/core/spotify/token-source.ts), through the client against a loopback
// Spotify: which grant is used, reuse until shortly before expiry, one renewal after a 401, a
// rotated refresh token kept for the caller, and a refused grant named without its secrets.

import { describe, expect, it } from "vitest";
import {
  SpotifyAuthError,
  SpotifyAuthorizationExpiredError,
} from "../../../functions/commons/errors";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  PLAYLIST_ID,
  REFRESH_TOKEN,
  USER_CREDENTIALS,
  caught,
  clientFor,
  fakeSpotify,
  issueTokens,
  sendJson,
} from "../../support/loopback-spotify";
import { playlistObject, spotifyError } from "../../support/spotify-payloads";

describe("Class: SpotifyClient", () => {
  describe("Behaviour: tokens", () => {
    it("uses the client-credentials grant with Basic auth and reuses the token until shortly before expiry", async () => {
      // Prepare
      let now = Date.UTC(2026, 10, 22, 5);
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin, { now: () => now });

      // Act
      await client.getPlaylist(PLAYLIST_ID);
      now += 3_000_000;
      await client.getPlaylist(PLAYLIST_ID);
      now += 600_000; // 3,600 s after issue: past the renewal margin
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      const tokenRequests = spotify.received.filter((r) => r.path === "/api/token");
      expect(tokenRequests).toHaveLength(2);
      expect(tokenRequests[0]).toMatchObject({
        method: "POST",
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        body: "grant_type=client_credentials",
      });
      expect(spotify.received.at(-1)!.authorization).toBe("Bearer BQD-access-token-2");
    });

    it("uses the refresh-token grant when a refresh token is configured and exposes a rotated one", async () => {
      // Prepare
      const spotify = await fakeSpotify(
        (_req, res) => sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
        issueTokens({ refresh_token: "AQD-rotated-refresh-token-0001" }),
      );
      const { client } = clientFor(spotify.origin, {
        credentials: USER_CREDENTIALS,
      });

      // Act
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      const [tokenRequest] = spotify.received.filter((r) => r.path === "/api/token");
      expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({
        grant_type: "refresh_token",
        refresh_token: REFRESH_TOKEN,
      });
      expect(client.rotatedRefreshToken).toBe("AQD-rotated-refresh-token-0001");
    });

    it("renews an expired access token once and retries the request", async () => {
      // Prepare
      const spotify = await fakeSpotify((req, res) =>
        req.authorization === "Bearer BQD-access-token-1"
          ? sendJson(res, 401, spotifyError(401, "The access token expired"))
          : sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(response.status).toBe(200);
      expect(
        spotify.received.map((r) => (r.path === "/api/token" ? "token" : r.authorization)),
      ).toEqual(["token", "Bearer BQD-access-token-1", "token", "Bearer BQD-access-token-2"]);
    });

    it("fails with SpotifyAuthError when a renewed token is refused too", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 401, spotifyError(401, "Invalid access token")),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyAuthError);
      expect(error.message).toContain(
        "answered 401 (Invalid access token) even with a newly issued access token",
      );
      expect(spotify.received.filter((r) => r.path === "/api/token")).toHaveLength(2);
    });

    it("ends with SpotifyAuthorizationExpiredError on invalid_grant, saying how to re-authorize and never the secret or the refresh token", async () => {
      // Prepare: an accounts service that (wrongly) echoes the credentials it was sent.
      const spotify = await fakeSpotify(
        (_req, res) => sendJson(res, 200, {}),
        (req, res) =>
          sendJson(res, 400, {
            error: "invalid_grant",
            error_description: `Invalid refresh token ${REFRESH_TOKEN} for ${CLIENT_SECRET}: ${req.body}`,
          }),
      );
      const { client } = clientFor(spotify.origin, {
        credentials: USER_CREDENTIALS,
      });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyAuthorizationExpiredError);
      expect(error).toMatchObject({ name: "SpotifyAuthorizationExpiredError", transient: false });
      expect(error.message).toMatch(
        /^Spotify refused the refresh token \(invalid_grant: Invalid refresh token \[redacted\]/,
      );
      expect(error.message).toContain("npm run authorize");
      expect(error.message).not.toContain(REFRESH_TOKEN);
      expect(error.message).not.toContain(CLIENT_SECRET);
    });
  });
});
