// The emulator as a development-mode Spotify (local/spotify-emulator/authorization.ts and the
// access rule of catalogue-routes.ts): the consent screen with its scripted user, the
// authorization-code grant (exact redirect URI, PKCE, single-use codes), GET /v1/me, and what
// each kind of token may read: items only for a user's token, and only of that user's
// playlists; metadata for everyone; extended-quota apps unaffected.

import { describe, expect, it } from "vitest";
import { pkceChallengeOf } from "../../../local/spotify-emulator/authorization";
import {
  SAMPLE_FOREIGN_PLAYLIST_IDS,
  SAMPLE_IDS,
  sampleUser,
} from "../../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator } from "../../../local/spotify-emulator/server";
import {
  accessToken,
  appAccessToken,
  basic,
  get,
  requestToken,
  sample,
  start,
} from "../../support/emulator-http";

const REDIRECT = "http://127.0.0.1:43117/callback";
const VERIFIER = "a-verifier-of-at-least-43-characters-0123456789abcdefghijklmnop";

/** Visits the consent screen as a browser would, without following the redirect. */
async function consent(emulator: SpotifyEmulator, fields: Record<string, string> = {}) {
  const params = new URLSearchParams({
    client_id: emulator.credentials.clientId,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "playlist-read-private playlist-read-collaborative",
    state: "s-123",
    ...fields,
  });
  const response = await fetch(`${emulator.accountsBaseUrl}/authorize?${params}`, {
    redirect: "manual",
  });
  const location = response.headers.get("location");
  return {
    status: response.status,
    text: await response.text(),
    back: location ? new URL(location) : undefined,
  };
}

const exchange = (
  emulator: SpotifyEmulator,
  code: string,
  fields: Record<string, string> = {},
  auth?: string,
) =>
  requestToken(
    emulator,
    { grant_type: "authorization_code", code, redirect_uri: REDIRECT, ...fields },
    auth ?? basic(emulator.credentials.clientId, emulator.credentials.clientSecret),
  );

describe("Spotify emulator", () => {
  describe("GET /authorize", () => {
    it("redirects the consenting user back with a code and the same state", async () => {
      const emulator = await start();

      const { status, back } = await consent(emulator);

      expect(status).toBe(302);
      expect(`${back!.origin}${back!.pathname}`).toBe(REDIRECT);
      expect(back!.searchParams.get("state")).toBe("s-123");
      expect(back!.searchParams.get("code")).toMatch(/^AQ[\w-]{40,}$/);
    });

    it("redirects with error=access_denied when the user refuses", async () => {
      const emulator = await start({ consent: "deny" });

      const { back } = await consent(emulator);

      expect(back!.searchParams.get("error")).toBe("access_denied");
      expect(back!.searchParams.get("state")).toBe("s-123");
      expect(back!.searchParams.has("code")).toBe(false);
    });

    it("shows Spotify's error page, redirecting nowhere, for a redirect URI that is not registered", async () => {
      const emulator = await start({ redirectUris: ["http://127.0.0.1:9999/callback"] });

      const { status, text, back } = await consent(emulator);

      expect(status).toBe(400);
      expect(back).toBeUndefined();
      expect(text).toContain("INVALID_CLIENT: Invalid redirect URI");
    });

    it("accepts any port for a loopback URI registered without one, and nothing for localhost", async () => {
      const emulator = await start();

      const loopback = await consent(emulator, { redirect_uri: "http://127.0.0.1:5173/callback" });
      const localhost = await consent(emulator, { redirect_uri: "http://localhost:5173/callback" });

      expect(loopback.status).toBe(302);
      expect(localhost.text).toContain("INVALID_CLIENT: Invalid redirect URI");
    });
  });

  describe("POST /api/token, grant_type=authorization_code", () => {
    it("exchanges a code once, with the client secret, for a user token and a refresh token", async () => {
      const emulator = await start();
      const code = (await consent(emulator)).back!.searchParams.get("code")!;

      const first = await exchange(emulator, code);
      const again = await exchange(emulator, code);

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        token_type: "Bearer",
        expires_in: 3600,
        scope: "playlist-read-private playlist-read-collaborative",
        refresh_token: expect.stringMatching(/^AQ/),
      });
      expect(again).toEqual({
        status: 400,
        body: { error: "invalid_grant", error_description: "Invalid authorization code" },
      });
      const me = await get(emulator, first.body.access_token as string, "/v1/me");
      expect(me.body).toMatchObject({ id: emulator.user.id, type: "user" });
    });

    it("refuses a redirect URI that differs from the consent's, even by a trailing slash", async () => {
      const emulator = await start();
      const code = (await consent(emulator)).back!.searchParams.get("code")!;

      const { status, body } = await exchange(emulator, code, { redirect_uri: `${REDIRECT}/` });

      expect(status).toBe(400);
      expect(body).toEqual({ error: "invalid_grant", error_description: "Invalid redirect URI" });
    });

    it("verifies PKCE: the right verifier without a secret succeeds, and its refresh token needs none", async () => {
      const emulator = await start();
      const challenge = pkceChallengeOf(VERIFIER);
      const pkce = { code_challenge_method: "S256", code_challenge: challenge };
      const wrongCode = (await consent(emulator, pkce)).back!.searchParams.get("code")!;
      const code = (await consent(emulator, pkce)).back!.searchParams.get("code")!;
      const asPublicClient = { client_id: emulator.credentials.clientId };

      const wrong = await exchange(
        emulator,
        wrongCode,
        { ...asPublicClient, code_verifier: `${VERIFIER}x` },
        "",
      );
      const right = await exchange(
        emulator,
        code,
        { ...asPublicClient, code_verifier: VERIFIER },
        "",
      );
      const refreshed = await requestToken(
        emulator,
        {
          grant_type: "refresh_token",
          refresh_token: right.body.refresh_token as string,
          ...asPublicClient,
        },
        "",
      );

      expect(wrong.body).toEqual({
        error: "invalid_grant",
        error_description: "code_verifier was incorrect",
      });
      expect(right.status).toBe(200);
      expect(refreshed.status).toBe(200);
    });

    it("refuses a code issued without PKCE to a client that sends no secret", async () => {
      const emulator = await start();
      const code = (await consent(emulator)).back!.searchParams.get("code")!;

      const { status, body } = await exchange(
        emulator,
        code,
        { client_id: emulator.credentials.clientId },
        "",
      );

      expect(status).toBe(400);
      expect(body.error).toBe("invalid_client");
    });
  });

  describe("development mode: who may read what", () => {
    it("answers 403 on /items for a client-credentials token, and still serves the playlist's metadata", async () => {
      const emulator = await start();
      const token = await appAccessToken(emulator);
      const id = SAMPLE_IDS.twoPagePlaylist;

      const items = await get(emulator, token, `/v1/playlists/${id}/items`);
      const metadata = await get(emulator, token, `/v1/playlists/${id}`);
      const me = await get(emulator, token, "/v1/me");

      expect(items.status).toBe(403);
      expect(metadata.status).toBe(200);
      expect(me.status).toBe(401);
    });

    it("answers 403 on /items of a playlist the user neither owns nor collaborates on", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);

      for (const id of SAMPLE_FOREIGN_PLAYLIST_IDS) {
        const items = await get(emulator, token, `/v1/playlists/${id}/items`);
        const metadata = await get(emulator, token, `/v1/playlists/${id}`);
        expect(items.status).toBe(403);
        expect(metadata.body.owner.id).not.toBe(emulator.user.id);
        expect(metadata.body.collaborative).toBe(false);
      }
      const own = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.collaborativePlaylist}/items`,
      );
      expect(own.status).toBe(200);
    });

    it("serves the items of another owner's collaborative playlist to a collaborator, and only to one", async () => {
      const [foreign] = SAMPLE_FOREIGN_PLAYLIST_IDS;
      const shared = (collaborators: string[]) => ({
        ...sample,
        playlists: sample.playlists.map((p) =>
          p.playlist.id === foreign
            ? { ...p, playlist: { ...p.playlist, collaborative: true }, collaborators }
            : p,
        ),
      });
      const member = await start({ catalogue: shared([sampleUser().id]) });
      const outsider = await start({ catalogue: shared(["31someoneelse"]) });

      const asMember = await get(
        member,
        await accessToken(member),
        `/v1/playlists/${foreign}/items`,
      );
      const asOutsider = await get(
        outsider,
        await accessToken(outsider),
        `/v1/playlists/${foreign}/items`,
      );

      expect(asMember.status).toBe(200);
      expect(asOutsider.status).toBe(403);
    });

    it("lets an extended-quota app read any playlist's items with client credentials", async () => {
      const emulator = await start({ mode: "extended" });
      const token = await appAccessToken(emulator);

      const items = await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.otherOwnerPlaylist}/items`,
      );

      expect(items.status).toBe(200);
    });

    it("answers a plain-text 403 verbatim when told to, as Spotify does for a lapsed Premium", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const message = "Active premium subscription required for the owner of the app";
      emulator.faults.enqueue({ status: 403, body: message, path: /^\/v1\/me$/ });

      const me = await get(emulator, token, "/v1/me");

      expect(me.status).toBe(403);
      expect(me.text).toBe(message);
      expect(me.headers.get("content-type")).toMatch(/^text\/plain/);
    });
  });
});
