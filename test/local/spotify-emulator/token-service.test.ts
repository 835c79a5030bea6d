// The emulator's accounts service (local/spotify-emulator/token-service.ts): POST /api/token
// with either grant and either form of client authentication, refresh-token rotation, refused
// credentials answered as Spotify does, reproducible tokens, and the bearer check in front of
// every /v1 request.

import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../../local/spotify-emulator/sample-data";
import { accessToken, basic, get, requestToken, sample, start } from "../../support/emulator-http";

describe("Spotify emulator", () => {
  describe("POST /api/token", () => {
    it("issues a one-hour bearer token for the client-credentials grant with HTTP Basic auth", async () => {
      // Prepare
      const emulator = await start();

      // Act
      const { status, body } = await requestToken(emulator);

      // Assess
      expect(status).toBe(200);
      expect(body).toEqual({
        access_token: expect.stringMatching(/^BQ[\w-]{80,}$/),
        token_type: "Bearer",
        expires_in: 3600,
      });
    });

    it("accepts client_id and client_secret in the form body instead of Basic auth", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(
        emulator,
        {
          grant_type: "client_credentials",
          client_id: emulator.credentials.clientId,
          client_secret: emulator.credentials.clientSecret,
        },
        "",
      );

      expect(status).toBe(200);
      expect(body.token_type).toBe("Bearer");
    });

    it("exchanges the refresh token for an access token with the playlist-read scopes", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: emulator.credentials.refreshToken,
      });

      expect(status).toBe(200);
      expect(body.scope).toBe("playlist-read-private playlist-read-collaborative");
      expect(body.refresh_token).toBeUndefined();
      expect(
        (await get(emulator, body.access_token as string, "/v1/artists/" + sample.artists[0]!.id))
          .status,
      ).toBe(200);
    });

    it("returns a new refresh token when rotation is on, and the old and new ones both work", async () => {
      const emulator = await start({ rotateRefreshToken: true });

      const first = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: emulator.credentials.refreshToken,
      });
      const rotated = first.body.refresh_token as string;
      const second = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: rotated,
      });

      expect(rotated).toMatch(/^AQ/);
      expect(rotated).not.toBe(emulator.credentials.refreshToken);
      expect(second.status).toBe(200);
    });

    it("spends each refresh token once when rotation is single-use, as for PKCE clients", async () => {
      const emulator = await start({ rotateRefreshToken: "single-use" });
      const refresh = (token: string) =>
        requestToken(emulator, { grant_type: "refresh_token", refresh_token: token });

      const first = await refresh(emulator.credentials.refreshToken);
      const reused = await refresh(emulator.credentials.refreshToken);
      const next = await refresh(first.body.refresh_token as string);

      expect(first.status).toBe(200);
      expect(reused).toEqual({
        status: 400,
        body: { error: "invalid_grant", error_description: "Invalid refresh token" },
      });
      expect(next.status).toBe(200);
      expect(next.body.refresh_token).not.toBe(first.body.refresh_token);
    });

    it("refuses a wrong client secret with Spotify's invalid_client error", async () => {
      const emulator = await start();

      const { status, body } = await requestToken(
        emulator,
        { grant_type: "client_credentials" },
        basic(emulator.credentials.clientId, "not-the-secret"),
      );

      expect(status).toBe(400);
      expect(body).toEqual({ error: "invalid_client", error_description: "Invalid client" });
    });

    it("refuses an unknown refresh token and an unsupported grant", async () => {
      const emulator = await start();

      const badRefresh = await requestToken(emulator, {
        grant_type: "refresh_token",
        refresh_token: "AQrevoked",
      });
      const badGrant = await requestToken(emulator, { grant_type: "password" });

      expect(badRefresh).toEqual({
        status: 400,
        body: { error: "invalid_grant", error_description: "Invalid refresh token" },
      });
      expect(badGrant.status).toBe(400);
      expect(badGrant.body.error).toBe("unsupported_grant_type");
    });

    it("issues the same token sequence in every emulator, so runs are reproducible", async () => {
      const [a, b] = await Promise.all([start(), start()]);

      const fromA = [await accessToken(a), await accessToken(a)];
      const fromB = [await accessToken(b), await accessToken(b)];

      expect(fromA).toEqual(fromB);
      expect(fromA[0]).not.toBe(fromA[1]);
    });
  });

  describe("authorization of /v1 requests", () => {
    it("answers 401 without a token and with a token it never issued", async () => {
      const emulator = await start();
      const path = `${emulator.url}/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

      const missing = await fetch(path);
      const unknown = await get(
        emulator,
        "BQforged",
        `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`,
      );

      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({
        error: { status: 401, message: "No token provided" },
      });
      expect(unknown.body).toEqual({ error: { status: 401, message: "Invalid access token" } });
    });

    it("says the token expired once its hour is over on the injected clock", async () => {
      let clock = Date.UTC(2026, 10, 22, 5, 0, 0);
      const emulator = await start({ now: () => clock });
      const token = await accessToken(emulator);
      const path = `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

      const fresh = await get(emulator, token, path);
      clock += 3600 * 1000;
      const stale = await get(emulator, token, path);

      expect(fresh.status).toBe(200);
      expect(stale.status).toBe(401);
      expect(stale.body).toEqual({ error: { status: 401, message: "The access token expired" } });
    });
  });
});
