// `npm run authorize` (local/authorize.ts) end to end against the emulator: a real loopback
// callback server, the emulator's scripted user at the consent screen, the code exchanged
// (PKCE or client secret), the credentials file written 0600 and then used by the client; and
// every way it stops: a state that does not match, access denied, an unregistered redirect
// URI, `localhost`, no callback in time. Nothing it prints holds a secret (the command
// itself: test/e2e/cli-targets.test.ts).

import { mkdtempSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSpotifyCredentials } from "../../functions/commons/spotify-credentials";
import { SpotifyClient } from "../../functions/core/spotify/client";
import { AuthorizationFailed, authorize, type AuthorizeOptions } from "../../local/authorize";
import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator } from "../../local/spotify-emulator/server";
import { start } from "../support/emulator-http";
import { freePort } from "../support/local-run";

/** A browser that follows the consent screen's redirect to the callback, as a real one does. */
const browser = async (url: string) => {
  await fetch(url);
};

async function optionsFor(emulator: SpotifyEmulator, overrides: Partial<AuthorizeOptions> = {}) {
  const printed: string[] = [];
  const options: AuthorizeOptions = {
    clientId: emulator.credentials.clientId,
    accountsBaseUrl: emulator.accountsBaseUrl,
    redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
    credentialsFile: join(mkdtempSync(join(tmpdir(), "spotify-lake-auth-")), "credentials.json"),
    timeoutMs: 5_000,
    open: browser,
    print: (line) => printed.push(line),
    now: () => new Date("2026-12-01T10:00:00.000Z"),
    ...overrides,
  };
  return { options, printed };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the flow to stop");
    },
    (error: unknown) => error as Error,
  );

describe("Function: authorize", () => {
  it("completes with PKCE through a real loopback callback, stores 0600 credentials the client then reads items with", async () => {
    // Prepare
    const emulator = await start();
    const { options, printed } = await optionsFor(emulator);

    // Act
    await authorize(options);

    // Assess
    expect(statSync(options.credentialsFile).mode & 0o777).toBe(0o600);
    const stored = parseSpotifyCredentials(
      JSON.parse(readFileSync(options.credentialsFile, "utf8")),
      "test",
    );
    expect(stored).toEqual({
      clientId: emulator.credentials.clientId,
      refreshToken: expect.stringMatching(/^AQ/),
      authorizedAt: "2026-12-01T10:00:00.000Z",
      scopes: ["playlist-read-private", "playlist-read-collaborative"],
    });
    const url = new URL(printed.find((l) => l.includes("/authorize?"))!.trim());
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(options.redirectUri);
    const client = new SpotifyClient({
      credentials: stored,
      appMode: "development",
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
    });
    const pages = [];
    for await (const page of client.playlistItemPages(SAMPLE_IDS.twoPagePlaylist)) pages.push(page);
    expect(pages.map((p) => p.status)).toEqual([200, 200]);
    expect(printed.join("\n")).not.toContain(stored.refreshToken);
  });

  it("exchanges the code with the client secret when one is configured, and stores it", async () => {
    const emulator = await start();
    const { options, printed } = await optionsFor(emulator, {
      clientSecret: emulator.credentials.clientSecret,
    });

    const stored = await authorize(options);

    expect(stored.clientSecret).toBe(emulator.credentials.clientSecret);
    const url = new URL(printed.find((l) => l.includes("/authorize?"))!.trim());
    expect(url.searchParams.has("code_challenge")).toBe(false);
    expect(printed.join("\n")).not.toContain(emulator.credentials.clientSecret);
  });

  it("ignores a callback whose state is not this request's, and stores nothing", async () => {
    const emulator = await start();
    const { options } = await optionsFor(emulator, {
      open: async (url) => {
        const consent = await fetch(url, { redirect: "manual" });
        const back = new URL(consent.headers.get("location")!);
        back.searchParams.set("state", "forged");
        await fetch(back);
      },
    });

    const error = await failure(authorize(options));

    expect(error).toBeInstanceOf(AuthorizationFailed);
    expect(error.message).toContain("state does not match");
    expect(existsSync(options.credentialsFile)).toBe(false);
  });

  it("says access was denied when the user refuses, and stores nothing", async () => {
    const emulator = await start({ consent: "deny" });
    const { options } = await optionsFor(emulator);

    const error = await failure(authorize(options));

    expect(error.message).toContain("access was denied");
    expect(existsSync(options.credentialsFile)).toBe(false);
  });

  it("names the redirect URI to register when Spotify does not know it, before waiting for anything", async () => {
    const emulator = await start({ redirectUris: ["http://127.0.0.1:9/elsewhere"] });
    const { options } = await optionsFor(emulator, {
      open: () => {
        throw new Error("the browser should not be needed");
      },
    });

    const error = await failure(authorize(options));

    expect(error.message).toContain("INVALID_CLIENT: Invalid redirect URI");
    expect(error.message).toContain(`Register exactly ${options.redirectUri}`);
  });

  it("refuses a localhost redirect URI, which Spotify no longer accepts", async () => {
    const emulator = await start();
    const { options } = await optionsFor(emulator, {
      redirectUri: "http://localhost:8888/callback",
    });

    const error = await failure(authorize(options));

    expect(error.message).toContain("use http://127.0.0.1:<port>/callback");
  });

  it("gives up after the timeout when no callback comes", async () => {
    const emulator = await start();
    const { options } = await optionsFor(emulator, { open: () => {}, timeoutMs: 200 });

    const error = await failure(authorize(options));

    expect(error.message).toContain("no answer from Spotify's consent page");
  });
});
