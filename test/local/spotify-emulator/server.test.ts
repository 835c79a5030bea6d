// The emulator's HTTP shell (local/spotify-emulator/server.ts): byte-identical answers from two
// emulators serving the same catalogue, and a request log of every request that never holds a
// secret.

import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../../local/spotify-emulator/sample-data";
import { accessToken, get, requestToken, sample, start } from "../../support/emulator-http";

describe("Spotify emulator", () => {
  describe("determinism", () => {
    it("gives byte-identical bodies from two emulators serving the same catalogue", async () => {
      const options = { pagingBaseUrl: "https://api.spotify.com/v1", mode: "development" as const };
      const [a, b] = [await start(options), await start(options)];
      const paths = [
        `/v1/playlists/${SAMPLE_IDS.quirksPlaylist}`,
        `/v1/playlists/${SAMPLE_IDS.quirksPlaylist}/items?offset=0&limit=50`,
        `/v1/artists/${sample.artists[3]!.id}`,
      ];

      const [tokenA, tokenB] = [await accessToken(a), await accessToken(b)];
      const fromA = await Promise.all(paths.map((p) => get(a, tokenA, p)));
      const fromB = await Promise.all(paths.map((p) => get(b, tokenB, p)));

      expect(fromA.map((r) => r.text)).toEqual(fromB.map((r) => r.text));
      expect(fromA[1]!.body.href).toMatch(/^https:\/\/api\.spotify\.com\/v1\/playlists\//);
    });
  });

  describe("request log", () => {
    it("records method, path, query and status of each request, and never a secret", async () => {
      const emulator = await start();
      const { clientSecret, refreshToken } = emulator.credentials;
      await requestToken(emulator, { grant_type: "refresh_token", refresh_token: refreshToken });
      const token = await accessToken(emulator);
      await get(
        emulator,
        token,
        `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items?offset=0&limit=50`,
      );
      await fetch(`${emulator.url}/api/token?client_secret=${clientSecret}`, { method: "POST" });

      const log = emulator.requestLog;

      expect(log.slice(0, 3)).toEqual([
        { method: "POST", path: "/api/token", query: "", status: 200 },
        { method: "POST", path: "/api/token", query: "", status: 200 },
        {
          method: "GET",
          path: `/v1/playlists/${SAMPLE_IDS.twoPagePlaylist}/items`,
          query: "offset=0&limit=50",
          status: 200,
        },
      ]);
      const serialized = JSON.stringify(log);
      for (const secret of [clientSecret, refreshToken, token])
        expect(serialized).not.toContain(secret);
    });
  });
});
