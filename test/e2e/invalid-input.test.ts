// Invalid execution input in a full local run: the run fails with InvalidInputError naming the
// field, before any Spotify request, and writes nothing. (prepareRun's own refusals are
// specified in test/unit/prepare-run.test.ts and test/unit/input-safety.property.test.ts.)

import { describe, expect, it } from "vitest";
import { runAgainstEmulator } from "../support/fault-harness";
import { EXECUTION, INVALID_INPUTS } from "../support/invalid-inputs";
import { fingerprintFolder, newDataDir, runWithEmulator } from "../support/local-run";
import { START } from "../support/e2e-snapshot";

describe("Invalid execution input", () => {
  it.each([
    [{ snapshot: "yesterday" }, "snapshot"],
    [{ playlists: ["../../etc/passwd"] }, "playlists[0]"],
    [{ mode: "fast" }, "mode"],
    [{ bucket: "x" }, "bucket"],
  ])(
    "fails with InvalidInputError naming the field and writes nothing: %j",
    async (input, field) => {
      const dataDir = newDataDir();
      const result = await runWithEmulator({ dataDir, input, startTime: START });
      expect(result.status).toBe("FAILED");
      expect(result.error).toBe("InvalidInputError");
      expect(result.cause).toContain(field);
      expect(result.requests).toBe(0);
      expect(await fingerprintFolder(dataDir)).toEqual({});
    },
  );

  it.each(
    INVALID_INPUTS.filter(([name]) =>
      [
        "a far-future snapshot",
        "an id that climbs out",
        "a number as id",
        "an unknown field",
        "an array",
      ].includes(name),
    ),
  )(
    "a full run with %s fails with InvalidInputError and writes nothing",
    async (_, input, field) => {
      const dataDir = newDataDir();
      const result = await runAgainstEmulator({
        dataDir,
        input,
        startTime: new Date(EXECUTION.startTime),
      });
      expect(result.status).toBe("FAILED");
      expect(result.error).toBe("InvalidInputError");
      expect(result.cause).toContain(field);
      expect(result.requests).toEqual([]);
      expect(await fingerprintFolder(dataDir)).toEqual({});
    },
  );

  // PrepareRun reads `$$.Execution.Input`, which (unlike `$`) also resolves when it is null.
  it.each([
    ["null", null],
    ["a list", ["37i9dQZF1DXcBWIGoYBM5M"]],
    ["a string", "2026-11-21T17:00:00Z"],
  ])("a full run whose input is %s fails with InvalidInputError", async (_, input) => {
    const dataDir = newDataDir();
    const result = await runAgainstEmulator({
      dataDir,
      input,
      startTime: new Date(EXECUTION.startTime),
    });
    expect(await fingerprintFolder(dataDir)).toEqual({});
    expect(result.error).toBe("InvalidInputError");
  });
});
