// No secret leaves the client (functions/core/spotify/redaction.ts): whatever Spotify answers,
// the client secret, the refresh token and the access tokens stay out of every error message,
// stack and request report.

import { describe, expect, it } from "vitest";
import {
  CLIENT_SECRET,
  PLAYLIST_ID,
  REFRESH_TOKEN,
  USER_CREDENTIALS,
  caught,
  clientFor,
  fakeSpotify,
  notFound,
  sendJson,
  type Handler,
} from "../../support/loopback-spotify";
import { spotifyError } from "../../support/spotify-payloads";

describe("Class: SpotifyClient", () => {
  describe("Behaviour: secrets", () => {
    it("keeps the client secret, refresh token and access tokens out of every error, URL and request report", async () => {
      // Prepare
      const scenarios: Handler[] = [
        (_req, res) => sendJson(res, 401, spotifyError(401, "Invalid access token")),
        (_req, res) => sendJson(res, 404, notFound),
        (_req, res) => sendJson(res, 500, spotifyError(500, "Server error")),
        (req, res) =>
          sendJson(res, 400, {
            error: { status: 400, message: `bad header ${req.authorization}` },
          }),
        (_req, res) =>
          sendJson(res, 429, { error: { reason: "QUOTA_EXCEEDED" } }, { "retry-after": "3600" }),
      ];
      const texts: string[] = [];

      for (const scenario of scenarios) {
        const spotify = await fakeSpotify(scenario);
        const { client, requests } = clientFor(spotify.origin, {
          credentials: USER_CREDENTIALS,
        });

        // Act
        const error = await caught(client.getPlaylist(PLAYLIST_ID));
        texts.push(error.message, String(error.stack), JSON.stringify(requests));
      }

      // Assess
      const all = texts.join("\n");
      expect(all).toContain("Spotify GET /playlists/");
      for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, "BQD-access-token"]) {
        expect(all).not.toContain(secret);
      }
    });
  });

  describe("Behaviour: plain-text refusals", () => {
    it("quotes a plain-text 403 body as Spotify's reason instead of '(no error message)'", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => {
        res.writeHead(403, { "content-type": "text/plain" });
        res.end("Active premium subscription required for the owner of the app");
      });
      const { client } = clientFor(spotify.origin, { credentials: USER_CREDENTIALS });

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error.name).toBe("PlaylistUnavailableError");
      expect(error.message).toContain(
        '403 "Active premium subscription required for the owner of the app"',
      );
      expect(error.message).not.toContain("(no error message)");
    });
  });
});
