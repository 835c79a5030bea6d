// One token refresh per run (functions/core/spotify/shared-token.ts): separate clients stand
// for separate Lambda containers (four ExtractPlaylist at once, then ExtractArtists), sharing
// only the credentials store (the Spotify secret) and the raw bucket's lease, against an
// emulator whose refresh tokens are single-use, as Spotify's are for PKCE clients.

import { describe, expect, it } from "vitest";
import type { SpotifyCredentials } from "../../../functions/commons/spotify";
import { SpotifyClient } from "../../../functions/core/spotify/client";
import { credentialsInMemory } from "../../../local/local-pipeline";
import { SAMPLE_PLAYLIST_IDS } from "../../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator } from "../../../local/spotify-emulator/server";
import { start } from "../../support/emulator-http";
import { MemoryObjectStore } from "../../support/memory-object-store";

const tokenRequests = (emulator: SpotifyEmulator) =>
  emulator.requestLog.filter((r) => r.path === "/api/token");

function lambdas(
  emulator: SpotifyEmulator,
  count: number,
  shared: { store: ReturnType<typeof credentialsInMemory>; leaseStore: MemoryObjectStore },
  now: () => number = Date.now,
) {
  return Array.from(
    { length: count },
    () =>
      new SpotifyClient({
        credentials: emulator.credentials,
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
        sharedToken: shared,
        now,
        // Waiting for another Lambda's refresh: yield instead of sleeping 250 ms.
        sleep: () => new Promise((resolve) => setImmediate(resolve)),
      }),
  );
}

describe("Class: SharedToken", () => {
  describe("Behaviour: one refresh per run", () => {
    it("refreshes once for four concurrent extractions and the artists step, storing the rotated single-use token first", async () => {
      // Prepare
      let now = Date.now();
      const emulator = await start({ rotateRefreshToken: "single-use", now: () => now });
      const store = credentialsInMemory(emulator.credentials);
      const saved: SpotifyCredentials[] = [];
      const watched = {
        load: store.load,
        save: async (c: SpotifyCredentials) => {
          saved.push(c);
          await store.save(c);
        },
      };
      const leaseStore = new MemoryObjectStore();
      const [a, b, c, d, artists] = lambdas(emulator, 5, { store: watched, leaseStore }, () => now);

      // Act
      await Promise.all(
        [a, b, c, d].map((client, i) => client!.getPlaylist(SAMPLE_PLAYLIST_IDS[i]!)),
      );
      await artists!.getPlaylist(SAMPLE_PLAYLIST_IDS[4]!);

      // Assess
      expect(tokenRequests(emulator)).toHaveLength(1);
      expect(saved).toHaveLength(1);
      const stored = await store.load();
      expect(stored.refreshToken).not.toBe(emulator.credentials.refreshToken);
      expect(stored.refreshToken).toBe(
        a!.rotatedRefreshToken ??
          b!.rotatedRefreshToken ??
          c!.rotatedRefreshToken ??
          d!.rotatedRefreshToken,
      );
      expect(stored.accessToken).toMatch(/^BQ/);
      expect(leaseStore.objects.size).toBe(0); // the lease is released

      // Act: an hour later the token has expired: again exactly one refresh, with the rotated token.
      now += 3_600_000;
      const later = lambdas(emulator, 4, { store: watched, leaseStore }, () => now);
      await Promise.all(later.map((client, i) => client.getPlaylist(SAMPLE_PLAYLIST_IDS[i]!)));

      // Assess: the single-use token stored first was the one spent (else: invalid_grant).
      expect(tokenRequests(emulator).map((r) => r.status)).toEqual([200, 200]);
      expect(saved).toHaveLength(2);
      expect((await store.load()).refreshToken).not.toBe(stored.refreshToken);
    });

    it("takes over a lease its holder abandoned once the lease has run out", async () => {
      // Prepare: a Lambda died holding the lease.
      let now = Date.now();
      const emulator = await start({ rotateRefreshToken: "single-use", now: () => now });
      const leaseStore = new MemoryObjectStore();
      await leaseStore.put(
        "_leases/spotify-token-refresh.json",
        JSON.stringify({ holder: "dead-lambda", expiresAt: now + 60_000 }),
      );
      const store = credentialsInMemory(emulator.credentials);
      const [client] = lambdas(
        emulator,
        1,
        { store, leaseStore },
        () => (now += 1_000), // every look at the clock: one more second
      );

      // Act
      await client!.getPlaylist(SAMPLE_PLAYLIST_IDS[0]!);

      // Assess
      expect(tokenRequests(emulator)).toHaveLength(1);
      expect((await store.load()).accessToken).toMatch(/^BQ/);
    });

    it("never takes a token Spotify refused from the store again", async () => {
      // Prepare
      const emulator = await start({ rotateRefreshToken: "single-use" });
      const store = credentialsInMemory(emulator.credentials);
      const leaseStore = new MemoryObjectStore();
      const [first, second] = lambdas(emulator, 2, { store, leaseStore });
      await first!.getPlaylist(SAMPLE_PLAYLIST_IDS[0]!);
      emulator.expireTokens();

      // Act: the stored token now answers 401; the second Lambda refreshes instead of looping.
      await second!.getPlaylist(SAMPLE_PLAYLIST_IDS[1]!);

      // Assess
      expect(tokenRequests(emulator).map((r) => r.status)).toEqual([200, 200]);
    });
  });
});
