// `npm run doctor` (local/doctor.ts) against the emulator as a development-mode Spotify: the
// verdict for every sample playlist (the sample user's readable, other owners' not, with the
// reason), ids that are not found or Spotify's editorial ones, the app mode and the refresh
// token's expiry, and Spotify's plain-text 403 bodies quoted verbatim and explained.

import { describe, expect, it } from "vitest";
import { SpotifyClient } from "../../functions/core/spotify/client";
import { runDoctor } from "../../local/doctor";
import {
  SAMPLE_FOREIGN_PLAYLIST_IDS,
  SAMPLE_PLAYLIST_IDS,
  SAMPLE_USER_PLAYLIST_IDS,
} from "../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator } from "../../local/spotify-emulator/server";
import { start } from "../support/emulator-http";

const EDITORIAL = "37i9dQZEVXbMDoHDwVN2tF";
const UNKNOWN = "0000000000000000000000";
const AUTHORIZED_AT = "2026-06-15T08:00:00.000Z";

function doctorOn(emulator: SpotifyEmulator, playlists: readonly string[]) {
  const credentials = { ...emulator.credentials, authorizedAt: AUTHORIZED_AT };
  return runDoctor({
    client: new SpotifyClient({
      credentials,
      appMode: emulator.mode,
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
    }),
    credentials,
    appMode: emulator.mode,
    playlists,
    now: new Date("2026-12-01T00:00:00.000Z"),
  });
}

describe("Function: runDoctor", () => {
  it("gives every sample playlist its verdict: the sample user's readable, other owners' not, and why", async () => {
    // Prepare
    const emulator = await start();

    // Act
    const report = await doctorOn(emulator, [...SAMPLE_PLAYLIST_IDS, UNKNOWN, EDITORIAL]);

    // Assess
    const verdicts = Object.fromEntries(report.playlists.map((p) => [p.playlistId, p.verdict]));
    for (const id of SAMPLE_USER_PLAYLIST_IDS) expect(verdicts[id]).toBe("readable");
    for (const id of SAMPLE_FOREIGN_PLAYLIST_IDS) {
      const check = report.playlists.find((p) => p.playlistId === id)!;
      expect(check.verdict).toBe("unreadable");
      expect(check.reason).toMatch(
        /is someone else and it is not collaborative.*\(403 Forbidden\)$/,
      );
    }
    expect(SAMPLE_FOREIGN_PLAYLIST_IDS).toHaveLength(3);
    expect(verdicts[UNKNOWN]).toBe("not found");
    expect(report.playlists.at(-1)).toMatchObject({
      verdict: "not found",
      reason: expect.stringContaining("Spotify-owned editorial"),
    });
    expect(report.ok).toBe(false);
    expect(report.lines).toContain(
      `Authorized user: ${emulator.user.display_name} (${emulator.user.id})`,
    );
    expect(report.lines[0]).toMatch(/^App mode: development/);
    expect(report.lines[1]).toBe(
      `Refresh token: expires on 2026-12-15 (in 14 days; authorized ${AUTHORIZED_AT})`,
    );
  });

  it("is satisfied when every configured playlist is readable", async () => {
    const emulator = await start();

    const report = await doctorOn(emulator, SAMPLE_USER_PLAYLIST_IDS.slice(0, 3));

    expect(report.ok).toBe(true);
  });

  it("quotes a lapsed Premium's plain-text 403 verbatim and says what it means", async () => {
    const emulator = await start();
    const body = "Active premium subscription required for the owner of the app";
    emulator.faults.enqueue({ status: 403, body, path: /^\/v1\/me$/ });

    const report = await doctorOn(emulator, []);

    expect(report.lines).toContain(
      `Authorized user: unknown: GET /v1/me answered 403 "${body}" — the app owner's Spotify Premium has lapsed: since February 2026 a development-mode app works only while its owner has Premium`,
    );
    expect(report.ok).toBe(false);
  });

  it("quotes a user who is not on the app's allowlist verbatim, on a playlist's items", async () => {
    const emulator = await start();
    const id = SAMPLE_USER_PLAYLIST_IDS[0]!;
    emulator.faults.enqueue({
      status: 403,
      body: "User not approved for app",
      path: new RegExp(`^/v1/playlists/${id}/items$`),
    });

    const report = await doctorOn(emulator, [id]);

    expect(report.playlists[0]).toMatchObject({
      verdict: "unreadable",
      reason: expect.stringMatching(
        /^403 "User not approved for app" — this Spotify user is not on the app's allowlist/,
      ),
    });
  });
});
