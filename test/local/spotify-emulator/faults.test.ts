// Fault injection (local/spotify-emulator/faults.ts): each failure a real Spotify produces,
// applied to the next matching request(s) once or N times, and faults it cannot apply refused.

import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../../local/spotify-emulator/sample-data";
import { accessToken, get, requestToken, start } from "../../support/emulator-http";

describe("Spotify emulator", () => {
  describe("fault injection", () => {
    const playlistPath = `/v1/playlists/${SAMPLE_IDS.singleEntryPlaylist}`;

    it("answers a 429 with Retry-After and Spotify's body once, then normally", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ status: 429, retryAfterSeconds: 7 });

      const limited = await get(emulator, token, playlistPath);
      const after = await get(emulator, token, playlistPath);

      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("7");
      expect(limited.body).toEqual({ error: { status: 429, message: "API rate limit exceeded" } });
      expect(after.status).toBe(200);
      expect(emulator.faults.pending).toBe(0);
    });

    it("gives the QUOTA_EXCEEDED form of the 429 when asked", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ status: 429, retryAfterSeconds: 86_400, reason: "QUOTA_EXCEEDED" });

      const { body, headers } = await get(emulator, token, playlistPath);

      expect(headers.get("retry-after")).toBe("86400");
      expect(body.error).toMatchObject({ status: 429, reason: "QUOTA_EXCEEDED" });
    });

    it("answers each 5xx the given number of times", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      for (const status of [500, 502, 503] as const) emulator.faults.enqueue({ status });
      emulator.faults.enqueue({ status: 504, times: 2 });

      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(emulator, token, playlistPath)).status);

      expect(statuses).toEqual([500, 502, 503, 504, 504, 200]);
    });

    it("fails only the playlist its path matches with a 403 or 404", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      const target = SAMPLE_IDS.quirksPlaylist;
      emulator.faults.enqueue({
        status: 404,
        path: new RegExp(`^/v1/playlists/${target}`),
        times: 2,
      });

      const other = await get(emulator, token, playlistPath);
      const hit = await get(emulator, token, `/v1/playlists/${target}/items`);

      expect(other.status).toBe(200);
      expect(hit.body).toEqual({ error: { status: 404, message: "Resource not found" } });
      expect(emulator.faults.pending).toBe(1);
    });

    it("leaves token requests alone unless the fault's path names the token endpoint", async () => {
      const emulator = await start();
      emulator.faults.enqueue({ status: 503 });
      emulator.faults.enqueue({ status: 500, method: "POST", path: /^\/api\/token$/ });

      const refused = await requestToken(emulator);
      const issued = await requestToken(emulator);

      expect(refused.status).toBe(500);
      expect(issued.status).toBe(200);
      expect(emulator.faults.pending).toBe(1);
    });

    it("drops the connection without an answer for a reset", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "reset" });

      await expect(get(emulator, token, playlistPath)).rejects.toThrow();
      const after = await get(emulator, token, playlistPath);

      expect(after.status).toBe(200);
      expect(emulator.requestLog.find((e) => e.fault === "reset")).toMatchObject({
        path: playlistPath,
        status: 0,
      });
    });

    it("waits through the injected sleep for a delay, then answers normally", async () => {
      const slept: number[] = [];
      const emulator = await start({ sleep: async (ms) => void slept.push(ms) });
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "delay", ms: 25_000 });

      const { status } = await get(emulator, token, playlistPath);

      expect(status).toBe(200);
      expect(slept).toEqual([25_000]);
    });

    it("cuts the connection halfway through the body for a truncated answer", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "truncated" });

      const reading = fetch(`${emulator.url}${playlistPath}`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.text());

      await expect(reading).rejects.toThrow();
    });

    it("sends a complete response whose body is not valid JSON for invalidJson", async () => {
      const emulator = await start();
      const token = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "invalidJson" });

      const response = await fetch(`${emulator.url}${playlistPath}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();

      expect(response.status).toBe(200);
      expect(text.startsWith('{"collaborative"')).toBe(true);
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
    });

    it("expires every token issued so far, so the client must fetch a new one", async () => {
      const emulator = await start();
      const old = await accessToken(emulator);
      emulator.faults.enqueue({ kind: "expireTokens" });

      const expired = await get(emulator, old, playlistPath);
      const renewed = await get(emulator, await accessToken(emulator), playlistPath);

      expect(expired.body).toEqual({ error: { status: 401, message: "The access token expired" } });
      expect(renewed.status).toBe(200);
    });

    it("refuses a fault it cannot apply", async () => {
      const emulator = await start();

      expect(() => emulator.faults.enqueue({ status: 500, times: 0 })).toThrow(/times/);
      expect(() => emulator.faults.enqueue({ status: 429, retryAfterSeconds: -1 })).toThrow(
        /retryAfterSeconds/,
      );
    });
  });
});
