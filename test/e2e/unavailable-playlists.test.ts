// A playlist Spotify refuses does not cost the hour: the readable playlists' tables are
// written and validated, the refused ones are rows of playlists_data with their status and
// Spotify's message, and only then does the run fail with PlaylistUnavailableError (or, with
// the stage setting unavailablePlaylists = "warn", succeed). However many are refused, only
// counts and a bounded message travel through the execution state.

import { describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import { localPaths } from "../../local/local-pipeline";
import {
  SAMPLE_FOREIGN_PLAYLIST_IDS,
  SAMPLE_USER_PLAYLIST_IDS,
} from "../../local/spotify-emulator/sample-data";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { runAgainstEmulator } from "../support/fault-harness";
import { newDataDir } from "../support/local-run";
import { SNAPSHOT, START } from "../support/e2e-snapshot";

const FOREIGN = SAMPLE_FOREIGN_PLAYLIST_IDS[0]!;
const READABLE = SAMPLE_USER_PLAYLIST_IDS.slice(0, 4);
const INPUT = { snapshot: SNAPSHOT, playlists: [...READABLE, FOREIGN] };

/** Step Functions' limit on a state's input or output (the local runtime enforces it too). */
const STATE_LIMIT_BYTES = 262_144;

const playlistRows = async (dataDir: string) =>
  (
    await runSql(
      localPaths(dataDir).catalog,
      `SELECT playlist_id, playlist_name, available, unavailable_status, unavailable_reason
       FROM playlists_data ORDER BY playlist_id`,
    )
  ).rows;

describe("Playlists Spotify refuses (development mode)", () => {
  it("a run with one foreign and several readable playlists writes and validates the readable ones, records the foreign one with its reason, and fails with PlaylistUnavailableError", async () => {
    const dataDir = newDataDir();

    const run = await runAgainstEmulator({ dataDir, input: INPUT, startTime: START });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("PlaylistUnavailableError");
    expect(run.failedState?.name).toBe("PlaylistsUnavailable");
    expect(run.cause).toContain(`${FOREIGN} (403`);
    // Validation ran and passed before the failure.
    expect(
      run.events.some((e) => e.state === "GetValidationStatus" && e.phase === "succeeded"),
    ).toBe(true);
    const rows = await playlistRows(dataDir);
    expect(rows).toHaveLength(READABLE.length + 1);
    const foreign = rows.find((r) => r.playlist_id === FOREIGN)!;
    expect(foreign).toMatchObject({ available: false, unavailable_status: 403 });
    expect(String(foreign.unavailable_reason)).not.toBe("");
    // Development mode still serves another owner's metadata: it is kept.
    expect(foreign.playlist_name).toEqual(expect.any(String));
    for (const row of rows.filter((r) => r.playlist_id !== FOREIGN)) {
      expect(row).toMatchObject({ available: true, unavailable_status: null });
    }
    const songs = await runSql(
      localPaths(dataDir).catalog,
      "SELECT DISTINCT playlist_id FROM songs_data ORDER BY playlist_id",
    );
    expect(songs.rows.map((r) => r.playlist_id)).not.toContain(FOREIGN);
    expect(songs.rows.length).toBeGreaterThan(0);
  });

  it("succeeds with the same tables when the stage treats unavailability as a warning", async () => {
    const failing = newDataDir();
    await runAgainstEmulator({ dataDir: failing, input: INPUT, startTime: START });
    const dataDir = newDataDir();

    const run = await runAgainstEmulator({
      dataDir,
      input: INPUT,
      startTime: START,
      unavailablePlaylists: "warn",
    });

    expect(run.status, `${run.error}: ${run.cause}`).toBe("SUCCEEDED");
    const output = run.output as PipelineOutput;
    expect(output.transform.unavailable.count).toBe(1);
    expect(output.extraction?.unavailablePlaylistCount).toBe(1);
    expect(await playlistRows(dataDir)).toEqual(await playlistRows(failing));
  });

  it("keeps the execution state far below 256 KB with 1,000 unknown playlists (each answers 404)", async () => {
    const dataDir = newDataDir();
    const unknown = Array.from(
      { length: 1000 },
      (_, i) => `unknownPlaylist${String(i).padStart(7, "0")}`,
    );

    const run = await runAgainstEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT, playlists: unknown },
      startTime: START,
    });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("PlaylistUnavailableError");
    expect(run.cause).toContain("1000 playlists unavailable");
    expect(run.cause).toContain("and 990 more");
    const largest = Math.max(...run.events.map((e) => JSON.stringify(e.input ?? null).length));
    console.log(`largest state input with 1,000 unavailable playlists: ${largest} bytes`);
    expect(largest).toBeLessThan(STATE_LIMIT_BYTES / 2);
    const rows = await runSql(
      localPaths(dataDir).catalog,
      "SELECT unavailable_status, COUNT(*) AS n FROM playlists_data WHERE NOT available GROUP BY 1",
    );
    expect(rows.rows.map((r) => [r.unavailable_status, Number(r.n)])).toEqual([[404, 1000]]);
  }, 120_000);
});
