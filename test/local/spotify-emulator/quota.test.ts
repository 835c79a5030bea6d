// The emulator's request quota (local/spotify-emulator/quota.ts): API requests count over a
// rolling window; past the quota every request, refused ones included, answers 429 with
// "reason": "QUOTA_EXCEEDED" in the forms Spotify uses, until old requests leave the window.

import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../../local/spotify-emulator/sample-data";
import { accessToken, get, start } from "../../support/emulator-http";

const playlistPath = `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

describe("Spotify emulator", () => {
  describe("request quota", () => {
    it("refuses requests past the quota until the rolling window has moved on", async () => {
      // Prepare
      let now = Date.UTC(2026, 10, 22, 5);
      const emulator = await start({ quota: { requests: 2, windowMs: 30_000 }, now: () => now });
      const token = await accessToken(emulator); // token requests do not count

      // Act
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(emulator, token, playlistPath)).status);
      const refused = await get(emulator, token, playlistPath);
      now += 10_000; // refused requests count too: still four in the window
      const stillRefused = await get(emulator, token, playlistPath);
      now += 30_001; // every earlier request has left the window
      const again = await get(emulator, token, playlistPath);

      // Assess
      expect(statuses).toEqual([200, 200, 429]);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("30");
      expect(refused.body.error).toMatchObject({ status: 429, reason: "QUOTA_EXCEEDED" });
      expect(stillRefused.status).toBe(429);
      expect(again.status).toBe(200);
    });

    it("answers without Retry-After, or with an empty body, when told to", async () => {
      const quiet = await start({
        quota: { requests: 0, windowMs: 1_000, answer: "noRetryAfter" },
      });
      const empty = await start({ quota: { requests: 0, windowMs: 1_000, answer: "empty" } });

      const noHeader = await get(quiet, await accessToken(quiet), playlistPath);
      const emptyBody = await fetch(
        `${empty.apiBaseUrl}/playlists/${SAMPLE_IDS.singleEntryPlaylist}`,
        {
          headers: { authorization: `Bearer ${await accessToken(empty)}` },
        },
      );

      expect(noHeader.status).toBe(429);
      expect(noHeader.headers.get("retry-after")).toBe(null);
      expect(noHeader.body.error).toMatchObject({ reason: "QUOTA_EXCEEDED" });
      expect(emptyBody.status).toBe(429);
      expect(emptyBody.headers.get("retry-after")).toBe(null);
      expect(await emptyBody.text()).toBe("");
    });
  });
});
