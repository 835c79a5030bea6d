// The whole pipeline on one machine: the ASL file run by the local interpreter, the real
// handlers, the Spotify emulator, a filesystem lake and DuckDB standing in for Glue/Athena.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../../local/adapters/duckdb-query-engine";
import type { PipelineOutput } from "../../statemachine/pipeline";
import { localPaths } from "../../local/local-pipeline";
import {
  catalogueStats,
  generateSampleCatalogue,
  SAMPLE_USER_PLAYLIST_IDS,
} from "../../local/spotify-emulator/sample-data";
import { entriesAccountedFor } from "../support/fault-harness";
import { fingerprintFolder, newDataDir, runWithEmulator } from "../support/local-run";
import { PARTITION, SNAPSHOT, START } from "../support/e2e-snapshot";

type Output = PipelineOutput;

describe("The local pipeline on the sample catalogue", () => {
  const dataDir = newDataDir();
  // The default run reads the sample user's playlists (development mode), not the others'.
  const sample = generateSampleCatalogue();
  const readable = {
    ...sample,
    playlists: sample.playlists.filter((p) => SAMPLE_USER_PLAYLIST_IDS.includes(p.playlist.id)),
  };
  const stats = catalogueStats(readable);
  let first: Awaited<ReturnType<typeof runWithEmulator>>;
  let firstFiles: Record<string, string>;

  beforeAll(async () => {
    first = await runWithEmulator({ dataDir, input: { snapshot: SNAPSHOT }, startTime: START });
    firstFiles = {
      ...(await fingerprintFolder(localPaths(dataDir).raw)),
      ...(await fingerprintFolder(localPaths(dataDir).lake)),
    };
  });

  it("succeeds and passes every data-quality check", () => {
    expect(first.status, `${first.error}: ${first.cause}`).toBe("SUCCEEDED");
    const output = first.output as Output;
    expect(output.validation.checks.results!.length).toBeGreaterThanOrEqual(18);
    expect(output.validation.checks.results!.filter((c) => !c.passed)).toEqual([]);
  });

  it("makes the fewest requests: one token, each playlist (with its first page), its other pages, each artist", () => {
    const catalogue = readable;
    const otherPages = catalogue.playlists
      .map((p) => Math.max(0, Math.ceil(p.entries.length / 50) - 1))
      .reduce((a, b) => a + b, 0);
    expect(first.requests).toBe(
      1 + catalogue.playlists.length + otherPages + stats.distinctArtists,
    );
  });

  it("records in each manifest that the first page of entries is the one the playlist object embeds", () => {
    const raw = localPaths(dataDir).raw;
    const catalogue = readable;
    for (const playlist of catalogue.playlists.filter((p) => p.entries.length > 0)) {
      const folder = join(raw, `spotify/${PARTITION}/playlist_id=${playlist.playlist.id}`);
      const manifest = JSON.parse(readFileSync(join(folder, "_manifest.json"), "utf8"));
      expect(manifest.itemPages[0]).toMatchObject({
        key: `spotify/${PARTITION}/playlist_id=${playlist.playlist.id}/playlist.json`,
        embeddedAt: "items",
      });
      expect(existsSync(join(folder, "items-0000.json"))).toBe(false);
      // Later pages were requested as Spotify's links give them, `locale=*` included, with
      // additional_types added.
      for (const page of manifest.itemPages.slice(1)) {
        expect(page.url).toMatch(/&locale=\*&additional_types=track,episode$/);
      }
    }
  });

  it("accounts for every playlist entry the emulator served", () => {
    const { transform } = first.output as Output;
    expect(transform.entries.read).toBe(stats.entries);
    expect(transform.entries.skipped).toEqual({
      null_entry: stats.entriesByKind.null,
      episode: stats.entriesByKind.episode,
      local_file: stats.entriesByKind.local,
    });
    expect(entriesAccountedFor(first.output as Output)).toBe(transform.entries.read);
    // The sample's one unresolved track (id: null, not a local file) is set aside, with why.
    expect(transform.entries.quarantined).toEqual({ missing_song_id: 1 });
    const quarantine = readFileSync(
      join(
        localPaths(dataDir).lake,
        "quarantine",
        PARTITION,
        `version=${transform.version}`,
        "rejected-entries.ndjson",
      ),
      "utf8",
    )
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { reason: string; source: string; record: unknown });
    expect(quarantine).toEqual([
      expect.objectContaining({ source: "playlist_item", reason: "missing_song_id" }),
    ]);
    expect(transform.rows.playlists_data).toBe(stats.playlists);
    expect(transform.rows.albums_data).toBe(stats.distinctAlbums);
    expect(transform.rows.artists_data).toBe(stats.distinctArtists);
  });

  it("answers the classic Athena queries as written, from the crawled catalog", async () => {
    const { catalog } = localPaths(dataDir);
    const perAlbum = await runSql(
      catalog,
      "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name;",
    );
    expect(perAlbum.rows.length).toBeGreaterThan(10);
    const total = perAlbum.rows.reduce((n, r) => n + Number(Object.values(r)[1]), 0);
    expect(total).toBe((first.output as Output).transform.rows.songs_data);

    // Development-mode apps get no popularity: the query runs and finds nothing above 80.
    const popular = await runSql(catalog, "SELECT * FROM artists_data WHERE popularity > 80;");
    expect(popular.columns).toEqual(expect.arrayContaining(["artist_id", "popularity", "genres"]));
    expect(popular.rows).toEqual([]);
  });

  it("stores one partition per snapshot hour, hive style", async () => {
    const { rows } = await runSql(
      localPaths(dataDir).catalog,
      "SELECT DISTINCT snapshot_date, snapshot_hour FROM songs_data",
    );
    expect(rows).toEqual([{ snapshot_date: "2026-11-21", snapshot_hour: "17" }]);
    expect(
      existsSync(
        join(localPaths(dataDir).lake, "songs_data/snapshot_date=2026-11-21/snapshot_hour=17"),
      ),
    ).toBe(true);
  });

  it("leaves every raw and lake file byte-identical when the same snapshot runs again", async () => {
    const again = await runWithEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT },
      startTime: new Date("2026-11-21T18:30:00Z"),
    });
    expect(again.status).toBe("SUCCEEDED");
    const files = {
      ...(await fingerprintFolder(localPaths(dataDir).raw)),
      ...(await fingerprintFolder(localPaths(dataDir).lake)),
    };
    expect(files).toEqual(firstFiles);
    const { rows } = await runSql(
      localPaths(dataDir).catalog,
      "SELECT COUNT(*) AS n, COUNT(DISTINCT playlist_id || ':' || CAST(position AS VARCHAR)) AS d FROM songs_data",
    );
    expect(rows[0]!.n).toBe(rows[0]!.d);
  });

  it("rebuilds the same lake files from raw alone in reprocess mode, without calling Spotify", async () => {
    rmSync(localPaths(dataDir).lake, { recursive: true, force: true });
    const reprocessed = await runWithEmulator({
      dataDir,
      input: { snapshot: SNAPSHOT, mode: "reprocess" },
      startTime: START,
    });
    expect(reprocessed.status, `${reprocessed.error}: ${reprocessed.cause}`).toBe("SUCCEEDED");
    expect(reprocessed.requests).toBe(0);
    const lakeFiles = await fingerprintFolder(localPaths(dataDir).lake);
    for (const [file, hash] of Object.entries(lakeFiles)) {
      expect(firstFiles[file], file).toBe(hash);
    }
    expect(Object.keys(lakeFiles).length).toBeGreaterThanOrEqual(4);
  });
});

describe("The local pipeline on recorded Spotify responses", () => {
  it("replays a recording through every state and validates it", async () => {
    const dataDir = newDataDir();
    const result = await runWithEmulator({
      dataDir,
      emulator: { replayDir: "test/fixtures/recorded-spotify" },
      defaultPlaylists: [
        "SuMY5gF5hFjuq3fQyisl8X",
        "fhzlRc6GMXDJnossdb9Ojc",
        "jMtDEpesd2DOlSEl6dIfP0",
      ],
      input: { snapshot: SNAPSHOT },
      startTime: START,
    });
    expect(result.status, `${result.error}: ${result.cause}`).toBe("SUCCEEDED");
    const output = result.output as Output;
    expect(output.transform.rows.playlists_data).toBe(3);
    expect(output.transform.entries.read).toBeGreaterThanOrEqual(54);
    expect(output.transform.entries.skipped).toMatchObject({
      null_entry: 1,
      episode: 1,
      local_file: 1,
    });
  });

  it("fails with PlaylistUnavailableError naming a playlist Spotify will not serve, after writing the others' tables", async () => {
    const dataDir = newDataDir();
    const result = await runWithEmulator({
      dataDir,
      emulator: { replayDir: "test/fixtures/recorded-spotify" },
      input: {
        snapshot: SNAPSHOT,
        playlists: ["jMtDEpesd2DOlSEl6dIfP0", "37i9dQZEVXbMDoHDwVN2tF"],
      },
      startTime: START,
    });
    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("PlaylistUnavailableError");
    expect(result.cause).toContain("37i9dQZEVXbMDoHDwVN2tF (404");
    const raw = await fingerprintFolder(localPaths(dataDir).raw);
    expect(
      Object.keys(raw).some((k) => k.includes("playlist_id=jMtDEpesd2DOlSEl6dIfP0/_manifest.json")),
    ).toBe(true);
    const { rows } = await runSql(
      localPaths(dataDir).catalog,
      "SELECT playlist_id, available, unavailable_status FROM playlists_data ORDER BY 1",
    );
    expect(rows).toEqual([
      { playlist_id: "37i9dQZEVXbMDoHDwVN2tF", available: false, unavailable_status: 404 },
      { playlist_id: "jMtDEpesd2DOlSEl6dIfP0", available: true, unavailable_status: null },
    ]);
  });
});
