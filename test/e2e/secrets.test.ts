// No secret ever leaves the pipeline: a full local run with known credentials, logging at
// DEBUG, is searched end to end (every line written to stdout/stderr or the console, every
// state's error and cause, the execution output, every file under the data folder) for the
// client secret, the refresh token and every access token the token endpoint issued.

import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
});

import { logger } from "../../functions/commons/lambda";
import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";
import type { HarnessRun } from "../support/fault-harness";
import { playlistPath, runAgainstEmulator } from "../support/fault-harness";
import { newDataDir } from "../support/local-run";
import { SNAPSHOT, START } from "../support/e2e-snapshot";

const INPUT = {
  snapshot: SNAPSHOT,
  playlists: [SAMPLE_IDS.multiPagePlaylist, SAMPLE_IDS.quirksPlaylist, SAMPLE_IDS.twoPagePlaylist],
};
const CREDENTIALS = {
  clientId: "5f0c2b9e8d7a4c1b9e3f6a2d8c4b7e10",
  clientSecret: "c0ffee5ecret9a8b7c6d5e4f3a2b1c0d",
  refreshToken: "AQDz-known-refresh-token_4Yq8s1Lw2Pm7Vn3Kc9Rj6Th0Bf5Xg",
};

/** Everything a run makes visible: output lines, errors, output, files. */
class Exposure {
  readonly lines: string[] = [];
  readonly issuedTokens: string[] = [];
  private readonly restore: (() => void)[] = [];

  capture(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const spy = vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
        this.lines.push(
          typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(),
        );
        return true;
      });
      this.restore.push(() => spy.mockRestore());
    }
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.lines.push(args.map(String).join(" "));
      });
      this.restore.push(() => spy.mockRestore());
    }
  }

  release(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  /** A fetch that remembers every access token the token endpoint hands out. */
  readonly fetch: typeof fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    if (String(input).endsWith("/api/token") && response.ok) {
      const body = (await response.clone().json()) as { access_token?: string };
      if (body.access_token) this.issuedTokens.push(body.access_token);
    }
    return response;
  };
}

async function filesUnder(root: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      // latin1 keeps every byte, so a secret inside a binary file (Parquet, DuckDB) is found too.
      else out.push({ path, text: readFileSync(path).toString("latin1") });
    }
  };
  await walk(root);
  return out;
}

/** Every place a secret could surface, each named so a failure says where. */
async function everythingVisible(exposure: Exposure, result: HarnessRun, dataDir: string) {
  return [
    ...exposure.lines.map((text, i) => ({ where: `output line ${i}`, text })),
    { where: "execution error", text: `${result.error ?? ""} ${result.cause ?? ""}` },
    { where: "execution output", text: JSON.stringify(result.output ?? null) },
    { where: "state events", text: JSON.stringify(result.events) },
    { where: "emulator request log", text: JSON.stringify(result.requests) },
    ...(await filesUnder(dataDir)).map(({ path, text }) => ({ where: path, text })),
  ];
}

function leaksOf(visible: { where: string; text: string }[], secrets: Record<string, string>) {
  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    for (const { where, text } of visible)
      if (text.includes(secret)) leaks.push(`${name} in ${where}`);
  }
  return leaks;
}

describe("Secrets in a full local run", () => {
  const exposure = new Exposure();

  beforeEach(() => {
    logger.setLogLevel("DEBUG");
    exposure.lines.length = 0;
    exposure.issuedTokens.length = 0;
    exposure.capture();
  });
  afterEach(() => exposure.release());

  it("never shows the client secret, the refresh token or an access token, even when a token expires mid-run", async () => {
    // Prepare
    const dataDir = newDataDir();
    // Act: a run at DEBUG in which a token expires and is renewed.
    const result = await runAgainstEmulator({
      dataDir,
      input: INPUT,
      startTime: START,
      emulator: { credentials: CREDENTIALS },
      spotify: { fetch: exposure.fetch },
      beforeRun: (emulator) =>
        emulator.faults.enqueue({
          kind: "expireTokens",
          path: playlistPath(SAMPLE_IDS.multiPagePlaylist, "items"),
        }),
    });
    exposure.release();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
    expect(exposure.issuedTokens.length, "the expired token was renewed").toBeGreaterThanOrEqual(2);
    expect(
      exposure.lines.some((l) => l.includes('"level":"DEBUG"') || l.includes("playlist extracted")),
    ).toBe(true);
    const visible = await everythingVisible(exposure, result, dataDir);
    expect(
      leaksOf(visible, {
        clientSecret: CREDENTIALS.clientSecret,
        refreshToken: CREDENTIALS.refreshToken,
        basicAuthorization: Buffer.from(
          `${CREDENTIALS.clientId}:${CREDENTIALS.clientSecret}`,
        ).toString("base64"),
        ...Object.fromEntries(exposure.issuedTokens.map((t, i) => [`accessToken#${i}`, t])),
      }),
    ).toEqual([]);
  });

  it("never shows the secrets when Spotify refuses a wrong client secret", async () => {
    const dataDir = newDataDir();
    const wrongSecret = "wrong5ecret0000aaaa1111bbbb2222cc";
    const result = await runAgainstEmulator({
      dataDir,
      input: INPUT,
      startTime: START,
      emulator: { credentials: CREDENTIALS },
      pipelineCredentials: { clientSecret: wrongSecret },
      spotify: { fetch: exposure.fetch },
    });
    exposure.release();

    expect(result.status).toBe("FAILED");
    // The first Spotify call is in the Map's children: the Map Run fails, naming the error.
    expect(result.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(result.mapRunFailure?.error).toBe("SpotifyAuthError");
    expect(exposure.issuedTokens).toEqual([]);
    const visible = await everythingVisible(exposure, result, dataDir);
    expect(
      leaksOf(visible, {
        clientSecret: CREDENTIALS.clientSecret,
        wrongClientSecret: wrongSecret,
        refreshToken: CREDENTIALS.refreshToken,
      }),
    ).toEqual([]);
  });
});
