// Which Spotify the command line talks to (local/spotify-target.ts), run as a user runs it:
// flags decide, never the environment (credentials there do not turn the emulator or a replay
// into live calls), the first line says which Spotify it is, a development-mode app without a
// user token stops before any request with the way out, and the credentials `authorize` stored
// are what the next `npm start` uses.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";
import { SNAPSHOT } from "../support/e2e-snapshot";
import { runAgainstEmulator } from "../support/fault-harness";
import { freePort, newDataDir } from "../support/local-run";

const LEAKY_ENV = {
  SPOTIFY_CLIENT_ID: "0123456789abcdef0123456789abcdef",
  SPOTIFY_CLIENT_SECRET: "a-real-looking-secret-from-the-shell",
};

/** Runs `tsx local/cli.ts ...args` with a home and credentials path of its own. */
function cli(args: string[], env: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), "spotify-lake-cli-"));
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "local/cli.ts", ...args],
      {
        env: {
          ...process.env,
          HOME: home,
          SPOTIFY_LAKE_CREDENTIALS: join(home, "credentials.json"),
          SPOTIFY_CLIENT_ID: "",
          SPOTIFY_CLIENT_SECRET: "",
          SPOTIFY_REFRESH_TOKEN: "",
          SPOTIFY_APP_MODE: "",
          ...env,
        },
      },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const oneSnapshot = (dataDir: string) => [
  "run",
  "--snapshot",
  SNAPSHOT,
  "--playlists",
  SAMPLE_IDS.singleEntryPlaylist,
  "--data-dir",
  dataDir,
];

describe("Command: npm start, which Spotify", () => {
  it("stays on the emulator with credentials in the environment, says so first, and names them ignored", async () => {
    const result = await cli(oneSnapshot(newDataDir()), LEAKY_ENV);

    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^Spotify: emulator \(sample catalogue, development mode\) at http:\/\/127\.0\.0\.1:\d+$/,
    );
    expect(lines[1]).toBe("SPOTIFY_CLIENT_ID is set and ignored: only --live calls the real API");
  });

  it("replays a recording with credentials in the environment, and says so first", async () => {
    const result = await cli(
      [
        "run",
        "--snapshot",
        SNAPSHOT,
        "--replay",
        "test/fixtures/recorded-spotify",
        "--data-dir",
        newDataDir(),
      ],
      LEAKY_ENV,
    );

    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(
      /^Spotify: replay test\/fixtures\/recorded-spotify /,
    );
  });

  it("refuses --live for a development-mode app without a user token, before any request, pointing at npm run authorize", async () => {
    const result = await cli([...oneSnapshot(newDataDir()), "--live"], LEAKY_ENV);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "Configuration error: Spotify credentials hold no user refresh token",
    );
    expect(result.stderr).toContain("run `npm run authorize`");
    expect(result.stderr).not.toContain(LEAKY_ENV.SPOTIFY_CLIENT_SECRET);
    expect(result.stdout).toBe("");
  });

  it("uses what npm run authorize stored (0600, no secret printed): the next npm start reads the user's playlists with it", async () => {
    const home = mkdtempSync(join(tmpdir(), "spotify-lake-cli-"));
    const file = join(home, "stored.json");

    const authorized = await cli([
      "authorize",
      "--emulator",
      "--port",
      String(await freePort()),
      "--credentials",
      file,
    ]);
    const run = await cli([...oneSnapshot(newDataDir()), "--credentials", file]);

    expect(authorized.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    for (const secret of [stored.clientSecret!, stored.refreshToken!]) {
      expect(authorized.stdout + authorized.stderr + run.stdout + run.stderr).not.toContain(secret);
    }
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[1]).toBe(
      `Credentials: ${file} (the emulator plays the app and user they name)`,
    );
    expect(run.stdout).toContain("1 playlists extracted");
  });
});

describe("The pipeline without a user token", () => {
  it("fails with ConfigurationError at once in development mode, before any request", async () => {
    const result = await runAgainstEmulator({
      dataDir: newDataDir(),
      input: { snapshot: SNAPSHOT, playlists: [SAMPLE_IDS.singleEntryPlaylist] },
      pipelineCredentials: { refreshToken: undefined },
    });

    expect(result.status).toBe("FAILED");
    // The first Spotify call is in the Map's children: the Map Run fails, naming the error.
    expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(result.mapRunFailure?.error).toBe("ConfigurationError");
    expect(result.mapRunFailure?.cause).toContain("npm run authorize");
    expect(result.requests).toEqual([]);
  });
});
