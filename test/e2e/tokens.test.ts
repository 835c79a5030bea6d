// Tokens over a whole run: the Map's four parallel ExtractPlaylist iterations and then
// ExtractArtists share one access token through the credentials store (the Spotify secret in
// AWS), so a run refreshes exactly once, even when Spotify rotates single-use refresh tokens
// (PKCE); the rotated token is in the store when the run ends, and the next run spends it.

import { describe, expect, it } from "vitest";
import { credentialsInMemory } from "../../local/local-pipeline";
import { defaultCredentials } from "../../local/spotify-emulator/token-service";
import { isTokenRequest, runAgainstEmulator } from "../support/fault-harness";
import { SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";
import { newDataDir } from "../support/local-run";

describe("Tokens across a local run", () => {
  it("refreshes once per run with single-use rotation, storing each rotated refresh token for the next run", async () => {
    // Prepare: the store outlives the runs, as the AWS secret does.
    const store = credentialsInMemory(defaultCredentials());
    const runOnce = (executionName: string) =>
      runAgainstEmulator({
        dataDir: newDataDir(),
        input: { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS },
        startTime: START,
        executionName,
        emulator: { rotateRefreshToken: "single-use" },
        credentialsStore: store,
      });

    // Act
    const first = await runOnce("first");
    const afterFirst = await store.load();

    // Assess
    expect(first.status, `${first.error}: ${first.cause}`).toBe("SUCCEEDED");
    expect(first.requests.filter(isTokenRequest)).toHaveLength(1);
    expect(afterFirst.refreshToken).not.toBe(defaultCredentials().refreshToken);
    expect(afterFirst.accessToken).toMatch(/^BQ/);
  });

  it("ends the run with SpotifyAuthorizationExpiredError, naming npm run authorize, when Spotify answers invalid_grant", async () => {
    // Prepare: a refresh token Spotify no longer knows (expired or revoked).
    const result = await runAgainstEmulator({
      dataDir: newDataDir(),
      input: { snapshot: SNAPSHOT, playlists: SIX_PLAYLISTS },
      startTime: START,
      emulator: { rotateRefreshToken: "single-use" },
      pipelineCredentials: { refreshToken: `${defaultCredentials().refreshToken}-revoked` },
    });

    // Assess: the state machine retries nothing; at most the Map's four running iterations
    // each tried the refresh once (one after the other, under the lease), and nothing after.
    expect(result.status).toBe("FAILED");
    // The first Spotify call is in the Map's children: the Map Run fails, naming the error.
    expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(result.mapRunFailure?.error).toBe("SpotifyAuthorizationExpiredError");
    expect(result.mapRunFailure?.cause).toContain("npm run authorize");
    expect(result.events.filter((e) => e.phase === "retried")).toEqual([]);
    const refused = result.requests.filter(isTokenRequest);
    expect(refused.length).toBeLessThanOrEqual(4);
    expect(refused.every((r) => r.status === 400)).toBe(true);
    expect(result.requests.filter((r) => r.path.startsWith("/v1/"))).toEqual([]);
  });
});
