// PrepareRun: the execution input becomes a validated run, or fails naming the bad field.

import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../functions/commons/errors";
import { MAX_PLAYLISTS_PER_RUN, prepareRun } from "../../functions/core/prepare-run";

const EXECUTION = {
  id: "arn:aws:states:eu-west-1:123456789012:execution:pipeline:abc",
  startTime: "2026-11-22T05:17:42.123Z",
};
const DEFAULTS = ["37i9dQZF1DXcBWIGoYBM5M", "5ABHKGoOzxkaa28ttQV9sE"];

function failure(input: unknown, execution = EXECUTION): InvalidInputError {
  try {
    prepareRun(input, execution, DEFAULTS);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error("expected InvalidInputError");
}

describe("prepareRun", () => {
  it("takes the execution's start hour, the configured playlists, full mode and failing on unavailable playlists by default", () => {
    expect(prepareRun({}, EXECUTION, DEFAULTS)).toEqual({
      snapshot: "2026-11-22T05:00:00.000Z",
      snapshotDate: "2026-11-22",
      snapshotHour: "05",
      playlists: DEFAULTS,
      mode: "full",
      executionId: EXECUTION.id,
      unavailablePlaylists: "fail",
    });
  });

  it("carries the stage's unavailablePlaylists setting", () => {
    expect(prepareRun({}, EXECUTION, DEFAULTS, "warn").unavailablePlaylists).toBe("warn");
  });

  it("truncates the scheduler's time to its UTC hour, whatever the offset", () => {
    expect(prepareRun({ snapshot: "2026-11-22T04:00:00Z" }, EXECUTION, DEFAULTS).snapshot).toBe(
      "2026-11-22T04:00:00.000Z",
    );
    expect(
      prepareRun({ snapshot: "2026-11-22T06:59:59.999+02:00" }, EXECUTION, DEFAULTS).snapshot,
    ).toBe("2026-11-22T04:00:00.000Z");
  });

  it("accepts explicit playlists and reprocess mode", () => {
    const run = prepareRun(
      { playlists: ["3cEYpjA9oz9GiPac4AsH4n"], mode: "reprocess" },
      EXECUTION,
      DEFAULTS,
    );
    expect(run.playlists).toEqual(["3cEYpjA9oz9GiPac4AsH4n"]);
    expect(run.mode).toBe("reprocess");
  });

  it.each([
    ["a string instead of an object", "snapshot", "input"],
    ["an array", [], "input"],
    ["an unknown field", { snapshot: "2026-11-22T05:00:00Z", bucket: "x" }, '"bucket"'],
    ["a time with no zone", { snapshot: "2026-11-22T05:00:00" }, "snapshot"],
    ["a date that does not exist", { snapshot: "2026-02-30T05:00:00Z" }, "snapshot"],
    ["hour 24", { snapshot: "2026-11-22T24:00:00Z" }, "snapshot"],
    ["a number as time", { snapshot: 1763787600 }, "snapshot"],
    ["a snapshot in the future", { snapshot: "2026-11-22T06:00:00Z" }, "snapshot"],
    ["a time later within the current hour", { snapshot: "2026-11-22T05:40:00Z" }, "snapshot"],
    ["a snapshot before Spotify", { snapshot: "1999-01-01T00:00:00Z" }, "snapshot"],
    ["playlists that are not a list", { playlists: "37i9dQZF1DXcBWIGoYBM5M" }, "playlists"],
    ["an empty playlist list", { playlists: [] }, "playlists"],
    ["a short id", { playlists: ["37i9dQZF1DXcBWIGoYBM5"] }, "playlists[0]"],
    ["a path in an id", { playlists: ["../../../../etc/passwd"] }, "playlists[0]"],
    ["a slash in an id", { playlists: ["37i9dQZF1DXcBWIGoY/M5M"] }, "playlists[0]"],
    ["a number as id", { playlists: [42] }, "playlists[0]"],
    ["a repeated id", { playlists: DEFAULTS.concat(DEFAULTS[0]!) }, "playlists[2]"],
    [
      "too many playlists",
      { playlists: Array.from({ length: MAX_PLAYLISTS_PER_RUN + 1 }, () => DEFAULTS[0]) },
      "playlists",
    ],
    ["an unknown mode", { mode: "fast" }, "mode"],
    ["a mode of the wrong type", { mode: true }, "mode"],
  ])("refuses %s, naming %s", (_what, input, field) => {
    const error = failure(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.name).toBe("InvalidInputError");
  });

  it("takes a time earlier within the current hour, or a minute ahead of the start (clock skew), as that hour", () => {
    for (const snapshot of ["2026-11-22T05:17:00Z", "2026-11-22T05:18:30Z"]) {
      expect(prepareRun({ snapshot }, EXECUTION, DEFAULTS).snapshot).toBe(
        "2026-11-22T05:00:00.000Z",
      );
    }
  });

  it("names year 0 as given, not as 1900, when refusing it", () => {
    const error = failure({ snapshot: "0000-01-01T00:00:00Z" });
    expect(error.message).toContain("0000-01-01T00:00:00.000Z");
    expect(error.message).not.toContain("1900");
  });

  it("refuses default playlists from a misconfigured PLAYLIST_IDS, naming the setting", () => {
    expect(() => prepareRun({}, EXECUTION, [])).toThrow(/PLAYLIST_IDS/);
  });
});
