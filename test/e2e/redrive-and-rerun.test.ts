// Redrive and rerun semantics, end to end. A Step Functions redrive resumes a failed execution
// at the failed state with that state's original input (same execution ARN, earlier states not
// re-run); a "New execution" or the next schedule reruns the whole snapshot. Both must leave
// exactly what one clean run leaves: no duplicates, no stale objects, no mix of two versions.

import { rawKeys } from "../../functions/commons/keys";
import type { PlaylistManifest } from "../../functions/core/raw-manifests";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import type { AroundTask } from "../../local/local-pipeline";
import { localPaths } from "../../local/local-pipeline";
import {
  SAMPLE_IDS,
  catalogueStats,
  generateSampleCatalogue,
} from "../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator, SpotifyEmulatorOptions } from "../../local/spotify-emulator/server";
import type { SpotifyCatalogue } from "../../local/spotify-emulator/types";
import type { HarnessRun, RunOutput } from "../support/fault-harness";
import {
  bucketFingerprints,
  entriesAccountedFor,
  playlistPath,
  runAgainstEmulator,
} from "../support/fault-harness";
import { newDataDir } from "../support/local-run";
import { PARTITION, SIX_PLAYLISTS, SNAPSHOT, START } from "../support/e2e-snapshot";

const PLAYLISTS = SIX_PLAYLISTS;
const MULTI_PAGE = SAMPLE_IDS.multiPagePlaylist;
const EDITED = SAMPLE_IDS.twoPagePlaylist;
const INPUT = { snapshot: SNAPSHOT, playlists: PLAYLISTS };
const EXECUTION = "hourly-2026-11-21T17";

const rawKey = (playlistId: string, file: string) =>
  `spotify/${PARTITION}/playlist_id=${playlistId}/${file}`;
const manifestOf = (dataDir: string, playlistId: string): PlaylistManifest =>
  JSON.parse(
    readFileSync(join(localPaths(dataDir).raw, rawKey(playlistId, "_manifest.json")), "utf8"),
  ) as PlaylistManifest;
/** A file of the songs partition: of a version, or (no version) of the layout before versions. */
const songsPart = (dataDir: string, part = "part-00000.parquet", version?: string) =>
  join(
    localPaths(dataDir).lake,
    "songs_data",
    PARTITION,
    ...(version ? [`version=${version}`] : []),
    part,
  );
/** The crawler's copy of the songs partition (the crawl step writes it before each crawl). */
const crawledSongsPart = (dataDir: string, part: string) =>
  join(localPaths(dataDir).lake, "_crawl", "songs_data", PARTITION, part);
/** The version the transform wrote, from the input of a state after it. */
const versionOf = (input: unknown) =>
  (input as { transform: { version: string } }).transform.version;

type DefinitionRun = HarnessRun;
type RunVariant = {
  around?: Partial<Record<string, AroundTask>>;
  redriveOf?: DefinitionRun;
};

/** Runs the pipeline (or a redrive of it) against an emulator; no client sleep is real. */
async function execute(
  dataDir: string,
  variant: RunVariant = {},
  emulatorOptions: SpotifyEmulatorOptions = {},
  beforeRun?: (emulator: SpotifyEmulator) => void,
): Promise<DefinitionRun> {
  const failedState = variant.redriveOf?.failedState;
  return runAgainstEmulator({
    dataDir,
    input: INPUT,
    emulator: emulatorOptions,
    defaultPlaylists: PLAYLISTS,
    startTime: START,
    executionName: EXECUTION,
    ...(beforeRun ? { beforeRun } : {}),
    ...(failedState ? { redrive: { failedState, redriveCount: 1 } } : {}),
    ...(variant.around ? { aroundTask: variant.around } : {}),
  });
}

/** Emulated RedriveExecution: the failed state, its original input, the same execution. */
function redrive(dataDir: string, failed: DefinitionRun): Promise<DefinitionRun> {
  if (!failed.failedState) throw new Error(`nothing to redrive: ${failed.status} ${failed.error}`);
  return execute(dataDir, { redriveOf: failed });
}

/** A Task wrapper that applies `fault` once, just before the task's first invocation. */
function onceBefore(fault: () => void | Promise<void>) {
  let applied = false;
  return async (invoke: () => Promise<unknown>) => {
    if (!applied) {
      applied = true;
      await fault();
    }
    return invoke();
  };
}

describe("Redriving a failed execution", () => {
  const cleanDir = newDataDir();
  let cleanFiles: Awaited<ReturnType<typeof bucketFingerprints>>;

  beforeAll(async () => {
    const clean = await execute(cleanDir);
    expect(clean.status, `${clean.error}: ${clean.cause}`).toBe("SUCCEEDED");
    cleanFiles = await bucketFingerprints(cleanDir);
  });

  /** The redrive resumed at the failed state and left exactly the clean run's data. */
  async function expectRedriveRestoresCleanData(
    dataDir: string,
    failed: DefinitionRun,
    redriven: DefinitionRun,
  ) {
    expect(redriven.status, `${redriven.error}: ${redriven.cause}`).toBe("SUCCEEDED");
    expect(redriven.events[0]!.state).toBe(failed.failedState!.name);
    expect(redriven.events.some((e) => e.state === "PrepareRun")).toBe(false);
    const output = redriven.output as RunOutput;
    expect(entriesAccountedFor(output)).toBe(output.transform.entries.read);
    expect(await bucketFingerprints(dataDir)).toEqual(cleanFiles);
  }

  it("resumes a failed extraction at the Map, once Spotify serves the playlist again", async () => {
    // Prepare: a playlist answers 502 to every attempt, in process and in the state's retries.
    const dataDir = newDataDir();
    const failed = await execute(dataDir, {}, {}, (emulator) =>
      emulator.faults.enqueue({ status: 502, path: playlistPath(MULTI_PAGE), times: 1000 }),
    );
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(failed.mapRunFailure?.error).toBe("SpotifyTransientError");
    expect(failed.failedState?.name).toBe("ExtractPlaylists");
    expect(failed.failedState?.input).toMatchObject({
      run: { playlistItems: { count: PLAYLISTS.length } },
    });
    // Act: the fault is gone (a fresh emulator); redrive.
    const redriven = await redrive(dataDir, failed);
    // Assess
    await expectRedriveRestoresCleanData(dataDir, failed, redriven);
  });

  it("resumes a transform that met a corrupt raw page, once the page is repaired", async () => {
    const dataDir = newDataDir();
    // The playlist's second page, wherever its manifest says it is stored.
    let pageKey = "";
    const page = () => join(localPaths(dataDir).raw, pageKey);
    let original: Buffer | undefined;
    const failed = await execute(dataDir, {
      around: {
        TransformSnapshot: onceBefore(() => {
          pageKey = manifestOf(dataDir, MULTI_PAGE).itemPages[1]!.key;
          original = readFileSync(page());
          writeFileSync(page(), original.subarray(0, 100));
        }),
      },
    });
    expect(failed.error).toBe("RawDataError");
    expect(failed.cause).toContain(pageKey);
    expect(failed.failedState?.name).toBe("TransformSnapshot");
    expect(existsSync(localPaths(dataDir).lake), "a failed transform writes nothing").toBe(false);

    writeFileSync(page(), original!);
    const redriven = await redrive(dataDir, failed);
    await expectRedriveRestoresCleanData(dataDir, failed, redriven);
  });

  it("resumes a failed crawl at its status poll, once the corrupt lake file is removed", async () => {
    // Prepare: a file that is not Parquet lands in the crawler's copy while it crawls.
    const dataDir = newDataDir();
    const corrupt = crawledSongsPart(dataDir, "part-00099.parquet");
    const failed = await execute(dataDir, {
      around: {
        GetCrawlerStatus: onceBefore(() => writeFileSync(corrupt, "not parquet at all")),
      },
    });
    expect(failed.error).toBe("CrawlerFailedError");
    expect(failed.failedState?.name).toBe("GetCrawlerStatus");

    rmSync(corrupt, { force: true });
    const redriven = await redrive(dataDir, failed);
    await expectRedriveRestoresCleanData(dataDir, failed, redriven);
  });

  it("re-runs the checks when a failed validation is redriven after the data was repaired", async () => {
    // Prepare: once the version is published, a stray copy of a songs part lands in its
    // folder (a bad manual copy), so the published table holds every song twice.
    const dataDir = newDataDir();
    let stray = "";
    const failed = await execute(dataDir, {
      around: {
        StartValidation: async (invoke, parameters) => {
          if (!stray) {
            const version = versionOf((parameters as { Payload: unknown }).Payload);
            stray = songsPart(dataDir, "part-00001.parquet", version);
            copyFileSync(songsPart(dataDir, "part-00000.parquet", version), stray);
          }
          return invoke();
        },
      },
    });
    expect(failed.error, failed.cause).toBe("DataQualityError");
    expect(failed.cause).toContain("songs_data_no_duplicate_positions");
    expect(failed.failedState?.name).toBe("GetValidationStatus");

    // Act: the stray file is removed, then the execution is redriven at the failed poll. The
    // redrive must re-run the checks on the repaired partition, not re-read the old verdict.
    rmSync(stray);
    const redriven = await redrive(dataDir, failed);

    // Assess
    await expectRedriveRestoresCleanData(dataDir, failed, redriven);
  });
});

describe("Rerunning a snapshot", () => {
  const at = (iso: string) => new Date(iso);

  it("gives byte-identical raw and lake and no duplicate rows when the same hour runs three times", async () => {
    const dataDir = newDataDir();
    const fingerprints = [];
    for (const startTime of [
      "2026-11-21T17:04:31Z",
      "2026-11-21T17:40:00Z",
      "2026-11-22T09:00:00Z",
    ]) {
      const result = await runAgainstEmulator({ dataDir, input: INPUT, startTime: at(startTime) });
      expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
      fingerprints.push(await bucketFingerprints(dataDir));
    }
    expect(fingerprints[1]).toEqual(fingerprints[0]);
    expect(fingerprints[2]).toEqual(fingerprints[0]);

    const { catalog } = localPaths(dataDir);
    const songs = await runSql(
      catalog,
      "SELECT COUNT(*) AS n, COUNT(DISTINCT playlist_id || ':' || CAST(position AS VARCHAR)) AS d FROM songs_data",
    );
    expect(Number(songs.rows[0]!.n)).toBeGreaterThan(0);
    expect(songs.rows[0]!.n).toBe(songs.rows[0]!.d);
    for (const [table, key] of [
      ["playlists_data", "playlist_id"],
      ["albums_data", "album_id"],
      ["artists_data", "artist_id"],
    ] as const) {
      const { rows } = await runSql(
        catalog,
        `SELECT COUNT(*) AS n, COUNT(DISTINCT ${key}) AS d FROM ${table}`,
      );
      expect(rows[0]!.n, table).toBe(rows[0]!.d);
    }
  });

  it("replaces the snapshot completely when Spotify's data changed within the hour", async () => {
    // Prepare: the hour is taken once; meanwhile a playlist shrinks from 230 entries (5 pages)
    // to 40 and another is renamed and reordered. A file of the layout before versions is
    // left in the songs partition.
    const dataDir = newDataDir();
    const first = await runAgainstEmulator({ dataDir, input: INPUT, startTime: START });
    expect(first.status, `${first.error}: ${first.cause}`).toBe("SUCCEEDED");
    expect(manifestOf(dataDir, MULTI_PAGE).itemPages).toHaveLength(5);
    const firstVersion = (first.output as RunOutput).transform.version;
    copyFileSync(
      songsPart(dataDir, "part-00000.parquet", firstVersion),
      songsPart(dataDir, "part-00001.parquet"),
    );

    const changed: SpotifyCatalogue = structuredClone(generateSampleCatalogue());
    const shrunk = changed.playlists.find((p) => p.playlist.id === MULTI_PAGE)!;
    shrunk.entries = shrunk.entries.slice(0, 40);
    shrunk.playlist.snapshot_id = `AAAB${shrunk.playlist.snapshot_id.slice(4)}`;
    const edited = changed.playlists.find((p) => p.playlist.id === EDITED)!;
    edited.playlist.name = "Sunday Morning, Rewritten";
    edited.entries.reverse();
    edited.playlist.snapshot_id = `AAAC${edited.playlist.snapshot_id.slice(4)}`;

    // Act
    const rerun = await runAgainstEmulator({
      dataDir,
      input: INPUT,
      startTime: at("2026-11-21T17:50:00Z"),
      emulator: { catalogue: changed },
    });

    // Assess: every count follows the new catalogue, and nothing of the old version remains.
    expect(rerun.status, `${rerun.error}: ${rerun.cause}`).toBe("SUCCEEDED");
    const stats = catalogueStats(changed);
    const output = rerun.output as RunOutput;
    expect(output.transform.entries.read).toBe(
      PLAYLISTS.reduce((n, id) => n + stats.entriesByPlaylist[id]!, 0),
    );
    expect(entriesAccountedFor(output)).toBe(output.transform.entries.read);
    const { raw, lake } = await bucketFingerprints(dataDir);
    // 40 entries fit in the page the playlist object embeds: no other page is listed.
    expect(manifestOf(dataDir, MULTI_PAGE).itemPages).toHaveLength(1);
    expect(
      Object.keys(raw).filter((k) => k.includes(`${PARTITION}/playlist_id=${MULTI_PAGE}/items-`)),
    ).toEqual([]);
    expect(lake[`songs_data/${PARTITION}/part-00001.parquet`]).toBeUndefined();
    expect(output.transform.version).not.toBe(firstVersion);
    expect(Object.keys(lake).filter((key) => key.includes(firstVersion))).toEqual([]);

    const { catalog } = localPaths(dataDir);
    const perPlaylist = await runSql(
      catalog,
      `SELECT COUNT(*) AS n, MAX(position) AS last FROM songs_data WHERE playlist_id = '${MULTI_PAGE}'`,
    );
    expect(Number(perPlaylist.rows[0]!.last)).toBeLessThan(40);
    const names = await runSql(
      catalog,
      `SELECT playlist_name FROM playlists_data WHERE playlist_id = '${EDITED}'`,
    );
    expect(names.rows).toEqual([{ playlist_name: "Sunday Morning, Rewritten" }]);

    // The rerun's lake is exactly what a first run on the new data writes.
    const freshDir = newDataDir();
    const fresh = await runAgainstEmulator({
      dataDir: freshDir,
      input: INPUT,
      startTime: START,
      emulator: { catalogue: changed },
    });
    expect(fresh.status).toBe("SUCCEEDED");
    const [again, once] = [await bucketFingerprints(dataDir), await bucketFingerprints(freshDir)];
    expect(again.lake).toEqual(once.lake);
    const hourOf = (fingerprints: Record<string, string>) =>
      Object.entries(fingerprints).filter(([key]) => key.startsWith(`spotify/${PARTITION}/`));
    expect(hourOf(again.raw)).toEqual(hourOf(once.raw));
    // What hours share (stored pages and artist details) keeps the old version's pages too,
    // unlisted: other hours may list them. Everything the fresh run stored is there (the
    // artist index also knows the artists only the first run had).
    const shared = (fingerprints: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(fingerprints).filter(([key]) => key !== rawKeys.artistDetailsIndex),
      );
    expect(shared(again.raw)).toMatchObject(shared(once.raw));
  });
});
