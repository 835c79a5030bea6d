// The command line (local/cli.ts and its helpers): options given empty are refused by name,
// the lease hint names the data folder in use and what the command line can actually do, a
// data folder that is a file is named, and a failed run prints its progress and summary
// without the handlers' JSON logs unless --verbose.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executionInputOf, UsageError } from "../../local/cli-input";
import { formatSummary } from "../../local/report";
import { newDataDir } from "../support/local-run";
import { SNAPSHOT } from "../support/e2e-snapshot";

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "local/cli.ts", ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: "",
      SPOTIFY_CLIENT_ID: "",
      SPOTIFY_CLIENT_SECRET: "",
    },
    timeout: 60_000,
  });

describe("The command line", () => {
  it.each([["playlists"], ["mode"], ["snapshot"]])("refuses --%s given empty", (option) => {
    expect(() => executionInputOf({ [option]: "" })).toThrow(UsageError);
    expect(() => executionInputOf({ [option]: " " })).toThrow(`--${option} is empty`);
  });

  it("builds the input from the options given", () => {
    expect(executionInputOf({ playlists: "a, b", mode: "reprocess" })).toEqual({
      playlists: ["a", "b"],
      mode: "reprocess",
    });
    expect(executionInputOf({})).toEqual({});
  });

  it("names the data folder in use in the lease hint, and suggests a rerun, not a redrive", () => {
    const text = formatSummary(
      {
        status: "FAILED",
        executionId: "x",
        executionName: "x",
        error: "SnapshotLockedError",
        cause: "Snapshot 2026-11-21T17:00:00.000Z is being written by execution y",
        failedState: { name: "ExtractPlaylists", input: {} },
        durationMs: 1,
        quotas: { historyEvents: 1, largestPayload: { bytes: 1, state: "s", what: "input" } },
      },
      "/data/my-lake",
    );
    expect(text).toContain("/data/my-lake/raw/_leases");
    expect(text).not.toContain(".local");
    expect(text).toMatch(/Run the same command again/);
    expect(text).not.toMatch(/redrive/i);
  });

  it("names the error of the child execution that failed a Map Run, not only the Map Run's", () => {
    const text = formatSummary(
      {
        status: "FAILED",
        executionId: "x",
        executionName: "x",
        error: "States.ExceedToleratedFailureThreshold",
        cause: "The specified tolerated failure threshold was exceeded",
        failedState: { name: "ExtractPlaylists", input: {} },
        mapRunFailure: {
          state: "ExtractPlaylists",
          child: "child-3",
          error: "SpotifyAuthorizationExpiredError",
          cause: JSON.stringify({
            errorType: "SpotifyAuthorizationExpiredError",
            errorMessage: "the refresh token was revoked: run npm run authorize",
          }),
        },
        durationMs: 1,
        quotas: { historyEvents: 1, largestPayload: { bytes: 1, state: "s", what: "input" } },
      },
      "/data/my-lake",
    );
    expect(text).toContain("States.ExceedToleratedFailureThreshold");
    expect(text).toContain("child execution child-3 failed: SpotifyAuthorizationExpiredError");
    expect(text).toContain("the refresh token was revoked: run npm run authorize");
  });

  it("names a data folder that is a file, and a failed run prints no JSON log lines", () => {
    const file = join(newDataDir(), "a-file");
    writeFileSync(file, "");
    const refused = cli("run", "--data-dir", file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`the data folder ${file} is a file, not a folder`);
    expect(refused.stderr).not.toContain("ENOTDIR");

    // A playlist the sample does not hold: extraction fails it, the run fails.
    const failed = cli(
      "run",
      "--data-dir",
      newDataDir(),
      "--snapshot",
      SNAPSHOT,
      "--playlists",
      "0000000000000000000000",
    );
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("Run FAILED");
    const jsonLines = `${failed.stdout}\n${failed.stderr}`
      .split("\n")
      .filter((l) => l.trim().startsWith("{"));
    expect(jsonLines).toEqual([]);
  });
});
