// The Spotify client facade (functions/core/spotify/client.ts) against a loopback Spotify: an
// answer's exact bytes, status and URL, the named error each refusal becomes, and ids checked
// before any request. The parts it wires have their own files beside this one: token-source,
// transport, items-pager, artist-lookup, redaction and entries.

import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  InvalidInputError,
  PlaylistUnavailableError,
  SpotifyRequestError,
} from "../../../functions/commons/errors";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  OTHER_PLAYLIST_ID,
  PLAYLIST_ID,
  REFRESH_TOKEN,
  caught,
  clientFor,
  fakeSpotify,
  notFound,
  sendJson,
} from "../../support/loopback-spotify";
import { playlistObject, spotifyError } from "../../support/spotify-payloads";

describe("Class: SpotifyClient", () => {
  describe("Method: getPlaylist", () => {
    it("returns the exact bytes, the status and the request URL", async () => {
      // Prepare
      const playlist = playlistObject(PLAYLIST_ID, { total: 120, name: 'Snapshots, "quoted"' });
      const body = `${JSON.stringify(playlist, null, 1)}\n`;
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 200, body));
      const { client } = clientFor(spotify.origin);

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(new TextDecoder().decode(response.body)).toBe(body);
      expect(response.status).toBe(200);
      expect(response.url).toBe(`${spotify.origin}/v1/playlists/${PLAYLIST_ID}`);
      expect((response.json as { name: string }).name).toBe('Snapshots, "quoted"');
    });

    it("turns a 404 into PlaylistUnavailableError naming the playlist", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 404, notFound));
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(OTHER_PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(PlaylistUnavailableError);
      expect(error.name).toBe("PlaylistUnavailableError");
      expect(error.message).toBe(
        `Playlist unavailable: ${OTHER_PLAYLIST_ID}: 404 Resource not found (GET /playlists/${OTHER_PLAYLIST_ID})`,
      );
    });

    it("turns other 4xx answers into SpotifyRequestError with status and endpoint", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 400, spotifyError(400, "Invalid limit")),
      );
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist(PLAYLIST_ID));

      // Assess
      expect(error).toBeInstanceOf(SpotifyRequestError);
      expect(error.message).toBe(
        `Spotify GET /playlists/${PLAYLIST_ID} answered 400: Invalid limit`,
      );
    });

    it("refuses an id that is not a Spotify id before making any request", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 200, {}));
      const { client } = clientFor(spotify.origin);

      // Act
      const error = await caught(client.getPlaylist("../../me/playlists"));

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(spotify.received).toEqual([]);
    });
  });

  describe("Behaviour: credentials", () => {
    it("refuses a development-mode app without a user refresh token before any request", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) => sendJson(res, 200, {}));

      // Act
      const error = await caught(
        (async () =>
          clientFor(spotify.origin, {
            appMode: "development",
            credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
          }))(),
      );

      // Assess
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("run `npm run authorize`");
      expect(error.message).toContain("extended-quota apps may use client credentials");
      expect(error.message).not.toContain(CLIENT_SECRET);
      expect(spotify.received).toEqual([]);
    });

    it("lets an extended-quota app use client credentials", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin, { appMode: "extended" });

      // Act
      const response = await client.getPlaylist(PLAYLIST_ID);

      // Assess
      expect(response.status).toBe(200);
      expect(spotify.received[0]!.body).toBe("grant_type=client_credentials");
    });

    it("refreshes a PKCE authorization (no client secret) by naming the client in the form", async () => {
      // Prepare
      const spotify = await fakeSpotify((_req, res) =>
        sendJson(res, 200, playlistObject(PLAYLIST_ID, { total: 0 })),
      );
      const { client } = clientFor(spotify.origin, {
        appMode: "development",
        credentials: { clientId: CLIENT_ID, refreshToken: REFRESH_TOKEN },
      });

      // Act
      await client.getPlaylist(PLAYLIST_ID);

      // Assess
      const token = spotify.received.find((r) => r.path === "/api/token")!;
      expect(token.authorization).toBeUndefined();
      expect(new URLSearchParams(token.body).get("client_id")).toBe(CLIENT_ID);
      expect(new URLSearchParams(token.body).get("grant_type")).toBe("refresh_token");
    });
  });
});
