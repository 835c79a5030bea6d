// The extract Lambdas' handling of the Spotify secret (a rotated refresh token is stored back,
// and a refused secret is read anew on the state machine's retry), and the Spotify client's
// warnings and requests reaching their structured logger.

import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { spotifySecretStore } from "../../functions/commons/aws/spotify-secret-store";
import { logger } from "../../functions/commons/lambda";
import type { SpotifyCredentials } from "../../functions/commons/spotify";
import {
  spotifySecretFromSecretsManager,
  spotifySecretFromValue,
} from "../../functions/commons/spotify-credentials";
import { createExtractArtistsHandler } from "../../functions/extract-artists/handler";
import { createExtractPlaylistHandler } from "../../functions/extract-playlist/handler";
import { lambdaContext } from "../../local/lambda-runtime";
import { SAMPLE_IDS, SAMPLE_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import { rawKeys } from "../../functions/commons/keys";
import type { SpotifyEmulator } from "../../local/spotify-emulator/server";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import { snapshotHourFromIso } from "../../functions/commons/snapshot";
import { storePlaylistItems } from "../../functions/core/playlist-items";
import { MemoryObjectStore } from "../support/memory-object-store";

const secrets = mockClient(SecretsManagerClient);
const run = (n: number) => ({ snapshot: "2026-11-22T05:00:00.000Z", executionId: `exec-${n}` });

describe("Extract handlers: the Spotify secret and the client's log lines", () => {
  let emulator: SpotifyEmulator;
  beforeEach(async () => {
    secrets.reset();
    emulator = await startSpotifyEmulator({ rotateRefreshToken: true });
  });
  afterEach(() => emulator.close());

  it("stores a refresh token Spotify rotated back into the secret, once, with the access token the others share", async () => {
    // Prepare
    const secretId = "arn:aws:secretsmanager:eu-west-1:1:secret:spotify-rotating";
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify(emulator.credentials) });
    secrets.on(PutSecretValueCommand).resolves({});
    const handler = createExtractPlaylistHandler({
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromSecretsManager(secretId),
      credentialsStore: spotifySecretStore(
        secretId,
        new SecretsManagerClient({ region: "eu-west-1" }),
      ),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    });

    // Act
    await handler(
      { run: run(1), playlistId: SAMPLE_PLAYLIST_IDS[0] },
      lambdaContext("extract-playlist"),
    );

    // Assess
    const puts = secrets.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    const stored = JSON.parse(puts[0]!.args[0].input.SecretString!) as SpotifyCredentials;
    expect(stored.clientId).toBe(emulator.credentials.clientId);
    expect(stored.refreshToken).toBeDefined();
    expect(stored.refreshToken).not.toBe(emulator.credentials.refreshToken);
    expect(stored.accessToken).toMatch(/^BQ/);
    expect(Date.parse(stored.accessTokenExpiresAt!)).toBeGreaterThan(Date.now());
  });

  it("reads the secret anew after Spotify refused the cached one", async () => {
    // Prepare: the cached secret holds an old client secret; the secret was rotated since.
    const secretId = "arn:aws:secretsmanager:eu-west-1:1:secret:spotify-rotated";
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({
        SecretString: JSON.stringify({
          clientId: emulator.credentials.clientId,
          clientSecret: "revoked",
          refreshToken: emulator.credentials.refreshToken,
        }),
      })
      .resolves({
        SecretString: JSON.stringify({
          clientId: emulator.credentials.clientId,
          clientSecret: emulator.credentials.clientSecret,
          refreshToken: emulator.credentials.refreshToken,
        }),
      });
    const handler = createExtractPlaylistHandler({
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromSecretsManager(secretId),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    });
    const event = { run: run(2), playlistId: SAMPLE_PLAYLIST_IDS[1] };

    // Act: the first attempt fails; the state machine's single retry invokes again.
    const first = handler(event, lambdaContext("extract-playlist"));
    await expect(first).rejects.toMatchObject({ name: "SpotifyAuthError" });
    await expect(first).rejects.not.toThrow(/revoked/);
    const retried = await handler(event, lambdaContext("extract-playlist"));

    // Assess
    expect(retried).toMatchObject({ available: true, playlistId: SAMPLE_PLAYLIST_IDS[1] });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("logs the Spotify client's warnings with their details, and each request at debug level", async () => {
    // Prepare: the app mode is not configured, so the artists step tries the batch endpoint,
    // which a development-mode app is refused; the client warns and goes one by one.
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    const debug = vi.spyOn(logger, "debug").mockImplementation(() => {});
    onTestFinished(() => {
      warn.mockRestore();
      debug.mockRestore();
    });
    const deps = {
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromValue(emulator.credentials),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    };
    const playlistId = SAMPLE_PLAYLIST_IDS[0]!;
    const extracted = await createExtractPlaylistHandler(deps)(
      { run: run(3), playlistId },
      lambdaContext("extract-playlist"),
    );
    if (!("available" in extracted && extracted.available)) {
      throw new Error("the emulator serves every sample playlist");
    }
    // The run's list, where PrepareRun stores it.
    const playlistItems = await storePlaylistItems(
      deps.rawStore,
      snapshotHourFromIso(run(3).snapshot),
      [playlistId],
    );

    // Act
    await createExtractArtistsHandler(deps)(
      { run: { ...run(3), playlistItems } },
      lambdaContext("extract-artists"),
    );

    // Assess
    expect(warn).toHaveBeenCalledWith(
      "GET /artists?ids= is unavailable; fetching artists one by one",
      { status: 403 },
    );
    const requests = debug.mock.calls.filter(([message]) => message === "Spotify request");
    expect(requests.map(([, info]) => info)).toContainEqual({
      method: "GET",
      url: expect.stringMatching(/\/v1\/artists\?ids=/),
      status: 403,
      attempt: 1,
      durationMs: expect.any(Number),
    });
    expect(requests.length).toBe(emulator.requestLog.length);
  });
  it("warns in a log line and in the run summary when the user authorization expires within 30 days", async () => {
    // Prepare: one authorization six months old to the minute (it expires now), one a month younger.
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    onTestFinished(() => warn.mockRestore());
    const now = new Date("2026-11-22T05:10:00Z");
    const hour = snapshotHourFromIso(run(4).snapshot);
    const rawStore = () => new MemoryObjectStore();
    const stores = [rawStore(), rawStore()] as const;
    const playlistItems = await storePlaylistItems(stores[0], hour, []);
    await storePlaylistItems(stores[1], hour, []);
    const deps = (authorizedAt: string, store: MemoryObjectStore) => ({
      rawStore: store,
      spotifySecret: spotifySecretFromValue({ ...emulator.credentials, authorizedAt }),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
      now: () => now,
    });
    const event = { run: { ...run(4), playlistItems } };

    // Act
    const soon = await createExtractArtistsHandler(deps("2026-05-22T05:10:00Z", stores[0]))(
      event,
      lambdaContext("extract-artists"),
    );
    const later = await createExtractArtistsHandler(deps("2026-06-23T05:10:00Z", stores[1]))(
      { ...event, run: { ...run(5), playlistItems } },
      lambdaContext("extract-artists"),
    );

    // Assess
    expect(soon).toMatchObject({
      rateLimited: false,
      authorizationWarning: expect.stringContaining("npm run authorize"),
    });
    expect(warn).toHaveBeenCalledWith("Spotify authorization expires soon", {
      expiresAt: "2026-11-22T05:10:00.000Z",
      daysLeft: 0,
    });
    expect(later).not.toHaveProperty("authorizationWarning");
    expect(
      warn.mock.calls.filter(([m]) => m === "Spotify authorization expires soon"),
    ).toHaveLength(1);
  });
});

describe("ExtractPlaylist under a long rate limit", () => {
  let emulator: SpotifyEmulator;
  beforeEach(async () => {
    emulator = await startSpotifyEmulator({});
  });
  afterEach(() => emulator.close());

  const handler = () =>
    createExtractPlaylistHandler({
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromValue(emulator.credentials),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    });

  it("asks the state machine to wait with a SpotifyRateLimitWaitRequested whose message is the wait as JSON", async () => {
    // Prepare
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    onTestFinished(() => {
      warn.mockRestore();
      error.mockRestore();
    });
    emulator.faults.enqueue({ status: 429, retryAfterSeconds: 120 });
    const playlistId = SAMPLE_PLAYLIST_IDS[0]!;

    // Act
    const answer = handler()(
      { run: run(7), playlistId, rateLimitWaits: 2 },
      lambdaContext("extract-playlist"),
    );

    // Assess: the Catch reads the seconds and the count (this wait included) from the message.
    await expect(answer).rejects.toMatchObject({ name: "SpotifyRateLimitWaitRequested" });
    const message = await answer.then(
      () => "",
      (e: Error) => e.message,
    );
    expect(JSON.parse(message)).toEqual({ retryAfterSeconds: 120, rateLimitWaits: 3 });
    expect(warn).toHaveBeenCalledWith("rate limited: the state machine waits", {
      playlistIds: [playlistId],
      retryAfterSeconds: 120,
      rateLimitWaits: 3,
    });
    expect(error, "a requested wait is no failure").not.toHaveBeenCalled();
  });

  it("fails with SpotifyRateLimitedError once the waits are used up", async () => {
    vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    emulator.faults.enqueue({ status: 429, retryAfterSeconds: 60 });

    const answer = handler()(
      { run: run(8), playlistId: SAMPLE_PLAYLIST_IDS[0]!, rateLimitWaits: 4 },
      lambdaContext("extract-playlist"),
    );

    await expect(answer).rejects.toMatchObject({
      name: "SpotifyRateLimitedError",
      message: expect.stringContaining("still rate limited after 4 waits"),
    });
    expect(error).toHaveBeenCalledWith("step failed", expect.anything());
  });
});

describe("ExtractPlaylist in its batch form (one Distributed Map child)", () => {
  let emulator: SpotifyEmulator;
  beforeEach(async () => {
    emulator = await startSpotifyEmulator({});
  });
  afterEach(() => emulator.close());

  it("extracts every playlist of the batch and counts the ones Spotify refused, without failing", async () => {
    // Prepare: in development mode another owner's playlist is refused (its items: 403).
    const rawStore = new MemoryObjectStore();
    const handler = createExtractPlaylistHandler({
      rawStore,
      spotifySecret: spotifySecretFromValue(emulator.credentials),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    });
    const refused = SAMPLE_IDS.otherOwnerPlaylist;
    const readable = SAMPLE_PLAYLIST_IDS.filter((id) => id !== refused).slice(0, 3);
    const batch = [readable[0]!, refused, ...readable.slice(1)];

    // Act
    const result = await handler(
      { run: run(8), playlistIds: batch, rateLimitWaits: 0 },
      lambdaContext("extract-playlist"),
    );

    // Assess: counts only; each playlist has its committed manifest, the refused one its refusal.
    expect(result).toEqual({
      playlists: 4,
      available: 3,
      unavailable: 1,
      entries: expect.any(Number),
    });
    const hour = snapshotHourFromIso(run(8).snapshot);
    for (const id of batch) {
      const manifest = await rawStore.get(rawKeys.playlistManifest(hour, id));
      expect(manifest, id).toBeDefined();
    }
    const refusal = JSON.parse(
      Buffer.from((await rawStore.get(rawKeys.playlistManifest(hour, refused)))!).toString(),
    ) as { unavailable?: { status: number } };
    expect(refusal.unavailable?.status).toBe(403);
  });

  it("refuses a batch that is empty or holds anything but Spotify ids, naming the element", async () => {
    const handler = createExtractPlaylistHandler({
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromValue(emulator.credentials),
    });
    await expect(
      handler({ run: run(9), playlistIds: [] }, lambdaContext("extract-playlist")),
    ).rejects.toMatchObject({ name: "InvalidInputError", message: /playlistIds/ });
    await expect(
      handler(
        { run: run(9), playlistIds: [SAMPLE_PLAYLIST_IDS[0], "../x"] },
        lambdaContext("extract-playlist"),
      ),
    ).rejects.toMatchObject({ name: "InvalidInputError", message: /playlistIds\[1\]/ });
    expect(emulator.requestLog).toEqual([]);
  });
});
