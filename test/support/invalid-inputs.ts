// Execution inputs prepareRun must refuse, each with the field its InvalidInputError names, and
// the execution they are checked against: shared by prepareRun's unit tests and the full local
// runs that must fail before any request and write nothing.

import { MAX_PLAYLISTS_PER_RUN } from "../../functions/core/prepare-run";

export const EXECUTION = {
  id: "arn:aws:states:eu-west-1:123456789012:execution:spotify-lake-pipeline:hourly-1",
  startTime: "2026-11-21T17:04:31.120Z",
};

const ID = "3cEYpjA9oz9GiPac4AsH4n";

export const INVALID_INPUTS: [string, unknown, string][] = [
  ["a time without a zone", { snapshot: "2026-11-21T17:00:00" }, "snapshot"],
  ["a date only", { snapshot: "2026-11-21" }, "snapshot"],
  ["an impossible date", { snapshot: "2026-02-30T10:00:00Z" }, "snapshot"],
  ["hour 24", { snapshot: "2026-11-21T24:00:00Z" }, "snapshot"],
  [
    "a snapshot in a later hour than the execution",
    { snapshot: "2026-11-21T18:00:00Z" },
    "snapshot",
  ],
  ["a far-future snapshot", { snapshot: "9999-12-31T23:00:00Z" }, "snapshot"],
  ["a snapshot before Spotify existed", { snapshot: "1999-01-01T00:00:00Z" }, "snapshot"],
  ["a numeric snapshot", { snapshot: 1763744400000 }, "snapshot"],
  ["an id with a path separator", { playlists: ["3cEYpjA9oz9GiPac4A/H4n"] }, "playlists[0]"],
  ["an id that climbs out", { playlists: [ID, "../../../../etc/passwd"] }, "playlists[1]"],
  ["an id of 22 dots", { playlists: [".".repeat(22)] }, "playlists[0]"],
  ["an id with a URL-encoded slash", { playlists: ["3cEYpjA9oz9GiP%2F4AsH4n"] }, "playlists[0]"],
  ["a repeated id", { playlists: [ID, ID] }, "playlists[1]"],
  ["a number as id", { playlists: [42] }, "playlists[0]"],
  ["a string instead of a list", { playlists: ID }, "playlists"],
  ["an empty list", { playlists: [] }, "playlists"],
  [
    "an oversized list",
    { playlists: Array.from({ length: MAX_PLAYLISTS_PER_RUN + 1 }, () => ID) },
    "playlists",
  ],
  ["an unknown mode", { mode: "incremental" }, "mode"],
  ["a mode of the wrong type", { mode: ["full"] }, "mode"],
  ["an unknown field", { snapshot: "2026-11-21T17:00:00Z", bucket: "other-bucket" }, "bucket"],
  ["an array", [ID], "input"],
  ["a string", "2026-11-21T17:00:00Z", "input"],
  ["null", null, "input"],
];
