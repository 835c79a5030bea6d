// Specification of the transform step: raw Spotify responses of one snapshot -> the four
// lake tables (read back through DuckDB), the quarantine file and the report.
// Fixtures under test/fixtures/spotify-raw are API bodies as Spotify returns them.

import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidInputError,
  RawDataError,
  RawSnapshotMissingError,
} from "../../../functions/commons/errors";
import { lakeKeys, rawKeys, LAKE_TABLES } from "../../../functions/commons/keys";
import {
  isSpotifyId,
  parseSnapshotHour,
  type SnapshotHour,
} from "../../../functions/commons/snapshot";
import {
  serializeManifest,
  type ArtistsManifest,
  type PlaylistManifest,
} from "../../../functions/core/raw-manifests";
import { entryOutcomeOf } from "../../../functions/core/transform/entries";
import { assertAccounting, type TransformReport } from "../../../functions/core/transform/report";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryObjectStore } from "../../support/memory-object-store";
import {
  SPOTIFY_API,
  artist,
  itemsPage,
  playlistEntry,
  playlistObject,
  sid,
  track,
} from "../../support/spotify-payloads";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "spotify-raw");
const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");

/** Playlist "Road trip" (2026 shape: `items` / `item`), two pages of 5 + 3 entries. */
const ROAD_TRIP = "3cEYpjA9oz9GiPac4AsH4n";
/** Playlist "Blues, soul" (older shape: `tracks` / `track`), one page of 5 entries. */
const BLUES = "37i9dQZF1DXcBWIGoYBM5M";

const ARTIST = {
  bandOfHorses: "Dq0k3FHjzOkQX0Nm37e4uu",
  rosalia: "aopaBoW3iS91jdYIvAJXT5",
  sigurRos: "EjzHQKmxduwPI9PMlLsm7V",
  jBalvin: "TqYc8AefS68M6ZWYx0HPGs",
  khruangbin: "Qhnqvf0YRog04ek6tmbZxE",
  ninaSimone: "HcZcLzpM7Qz0BhIaf3wIti",
  gone: "oGdW9F3D34ECPGTEARmpqU",
};
const ALBUM = {
  everythingAllTheTime: "XByf5xgXQm4oJ1uXUVweaq",
  motomami: "NveCsy5KZ0YvUyC8KQnlH5",
  agaetisByrjun: "3F7XDLZo8LBYoqYLPxaXLU",
  ninaSimoneSingsTheBlues: "mtevkjwHXIfwETExeqXH3b",
};
const TRACK = {
  theFuneral: "iOW2NgLSJyP0xnoDHLGc0T",
  saoko: "17TeFBm9YJyqSh32A2Mk47",
  svefn: "coz3aO2QitNC6OxOeExC3I",
  sugar: "gQdHC0FXiFizUEo6P9F9d1",
};

async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), "utf8");
}

type Entry = { item?: unknown; track?: unknown } | null;

/** Distinct artist ids of a playlist's tracks, as the extractor lists them in its manifest. */
function artistIdsOfPages(pages: string[]): string[] {
  const ids = new Set<string>();
  for (const page of pages) {
    for (const entry of (JSON.parse(page) as { items: Entry[] }).items) {
      const track = (entry?.item ?? entry?.track) as { artists?: { id: unknown }[] } | null;
      for (const artist of track?.artists ?? []) if (isSpotifyId(artist.id)) ids.add(artist.id);
    }
  }
  return [...ids].sort();
}

/** Stores one playlist's bodies and, last, its manifest, as extraction does. */
async function storePlaylist(
  store: MemoryObjectStore,
  snapshot: SnapshotHour,
  playlistId: string,
  playlistBody: string,
  pages: { body: string; url: string }[],
): Promise<PlaylistManifest> {
  await store.put(rawKeys.playlist(snapshot, playlistId), playlistBody);
  const itemPages: PlaylistManifest["itemPages"] = [];
  for (const [index, page] of pages.entries()) {
    const key = rawKeys.itemsPage(snapshot, playlistId, index);
    await store.put(key, page.body);
    const entryCount = (JSON.parse(page.body) as { items: unknown[] }).items.length;
    itemPages.push({ key, url: page.url, entryCount });
  }
  const manifest: PlaylistManifest = {
    format: 1,
    snapshot: snapshot.iso,
    playlistId,
    playlist: {
      key: rawKeys.playlist(snapshot, playlistId),
      url: `${SPOTIFY_API}/playlists/${playlistId}`,
    },
    itemPages,
    entryCount: itemPages.reduce((n, p) => n + p.entryCount, 0),
    artistIds: artistIdsOfPages(pages.map((p) => p.body)),
  };
  await store.put(rawKeys.playlistManifest(snapshot, playlistId), serializeManifest(manifest));
  return manifest;
}

/** Stores the artists step's responses and its manifest. */
async function storeArtists(
  store: MemoryObjectStore,
  snapshot: SnapshotHour,
  responses: { body: string; url: string; status: number }[],
  artistIds: string[],
  missingArtistIds: string[],
): Promise<void> {
  const stored: ArtistsManifest["responses"] = [];
  for (const [index, response] of responses.entries()) {
    const key = rawKeys.artistsResponse(snapshot, index);
    await store.put(key, response.body);
    stored.push({ key, url: response.url, status: response.status });
  }
  const manifest: ArtistsManifest = {
    format: 1,
    snapshot: snapshot.iso,
    artistIds: [...artistIds].sort(),
    responses: stored,
    missingArtistIds,
  };
  await store.put(rawKeys.artistsManifest(snapshot), serializeManifest(manifest));
}

/** The whole fixture snapshot: both playlists and the artists step, as extraction leaves it. */
async function storeFixtureSnapshot(store: MemoryObjectStore, snapshot = SNAPSHOT): Promise<void> {
  const roadTrip = await storePlaylist(
    store,
    snapshot,
    ROAD_TRIP,
    await fixture(`playlist-${ROAD_TRIP}.json`),
    [
      {
        body: await fixture(`items-${ROAD_TRIP}-0000.json`),
        url: `${SPOTIFY_API}/playlists/${ROAD_TRIP}/items?offset=0&limit=5`,
      },
      {
        body: await fixture(`items-${ROAD_TRIP}-0001.json`),
        url: `${SPOTIFY_API}/playlists/${ROAD_TRIP}/items?offset=5&limit=5`,
      },
    ],
  );
  const blues = await storePlaylist(
    store,
    snapshot,
    BLUES,
    await fixture(`playlist-${BLUES}.json`),
    [
      {
        body: await fixture(`tracks-${BLUES}-0000.json`),
        url: `${SPOTIFY_API}/playlists/${BLUES}/tracks?offset=0&limit=100`,
      },
    ],
  );
  const wanted = [...new Set([...roadTrip.artistIds, ...blues.artistIds, ARTIST.gone])];
  await storeArtists(
    store,
    snapshot,
    [
      {
        body: await fixture("artists-batch.json"),
        url: `${SPOTIFY_API}/artists?ids=${ARTIST.bandOfHorses},${ARTIST.gone},${ARTIST.khruangbin},${ARTIST.rosalia}`,
        status: 200,
      },
      {
        body: await fixture("artist-sigur-ros.json"),
        url: `${SPOTIFY_API}/artists/${ARTIST.sigurRos}`,
        status: 200,
      },
      {
        body: await fixture("artist-nina-simone-no-name.json"),
        url: `${SPOTIFY_API}/artists/${ARTIST.ninaSimone}`,
        status: 200,
      },
      {
        body: await fixture("artist-j-balvin.json"),
        url: `${SPOTIFY_API}/artists/${ARTIST.jBalvin}`,
        status: 200,
      },
      {
        body: await fixture("artist-gone-404.json"),
        url: `${SPOTIFY_API}/artists/${ARTIST.gone}`,
        status: 404,
      },
    ],
    wanted,
    [ARTIST.gone],
  );
}

function lakeObjects(store: MemoryObjectStore): Map<string, Uint8Array> {
  return new Map([...store.objects].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Copies a store's objects into a folder, so DuckDB can read the lake as files. */
async function materialize(store: MemoryObjectStore, root: string): Promise<void> {
  for (const [key, body] of store.objects) {
    await mkdir(dirname(join(root, key)), { recursive: true });
    await writeFile(join(root, key), body);
  }
}

let db: DuckDBInstance;
let connection: DuckDBConnection;
let scratch: string;

beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  connection = await db.connect();
  scratch = await mkdtemp(join(tmpdir(), "transform-test-"));
});

afterAll(async () => {
  connection?.closeSync();
  db?.closeSync();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Column name -> DuckDB type of a Parquet file or glob. */
async function columnTypes(path: string): Promise<Record<string, string>> {
  const rows = await query(
    `DESCRIBE SELECT * FROM read_parquet('${path}', hive_partitioning = false)`,
  );
  return Object.fromEntries(rows.map((r) => [r.column_name as string, r.column_type as string]));
}

describe("transformSnapshot", () => {
  describe("on the fixture snapshot (two playlists, both API shapes, every entry quirk)", () => {
    let raw: MemoryObjectStore;
    let lake: MemoryObjectStore;
    let report: TransformReport;
    let root: string;

    beforeAll(async () => {
      raw = new MemoryObjectStore();
      lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      });
      root = join(scratch, "fixture-lake");
      await materialize(lake, root);
    });

    it("reports rows per table and entry counts that add up to the entries read", () => {
      // Road trip: 8 entries -> 4 songs, 3 skipped, 1 quarantined.
      // Blues: 5 entries -> 2 songs, 1 skipped, 2 quarantined.
      expect(report).toEqual({
        snapshot: "2026-11-22T05:00:00.000Z",
        playlists: 2,
        rows: { songs_data: 6, albums_data: 4, artists_data: 5, playlists_data: 2 },
        entries: {
          read: 13,
          rows: 6,
          skipped: { null_entry: 2, episode: 1, local_file: 1 },
          quarantined: { invalid_added_at: 1, invalid_duration: 1, missing_artists: 1 },
        },
        artists: {
          read: 7,
          rows: 5,
          duplicates: 0,
          missing: 1,
          quarantined: { missing_artist_name: 1, null_artist: 1 },
        },
        playlistsQuarantined: {},
        files: 4,
      });
      const { entries } = report;
      const skipped = Object.values(entries.skipped).reduce((a, b) => a + b, 0);
      const quarantined = Object.values(entries.quarantined).reduce((a, b) => a + b, 0);
      expect(entries.rows + skipped + quarantined).toBe(entries.read);
    });

    it("writes one SNAPPY Parquet part per table, the quarantine file, and the report last", async () => {
      const written = lake.writes;
      expect(written).toEqual([
        ...LAKE_TABLES.map((t) => lakeKeys.tableFile(t, SNAPSHOT, 0)),
        lakeKeys.quarantine(SNAPSHOT),
        lakeKeys.transformReport(SNAPSHOT),
      ]);
      expect(JSON.parse(lake.text(lakeKeys.transformReport(SNAPSHOT))!)).toEqual(report);
      const codecs = await query(
        `SELECT DISTINCT compression FROM parquet_metadata('${root}/*/*/*/*.parquet')`,
      );
      expect(codecs).toEqual([{ compression: "SNAPPY" }]);
    });

    it("stores no partition columns in the files: the hive folders carry them", async () => {
      const file = join(root, lakeKeys.tableFile("songs_data", SNAPSHOT, 0));
      const inFile = await columnTypes(file);
      expect(Object.keys(inFile)).not.toContain("snapshot_date");
      const partitioned = await query(
        `SELECT DISTINCT snapshot_date::VARCHAR AS d, snapshot_hour::VARCHAR AS h
         FROM read_parquet('${root}/songs_data/*/*/*.parquet', hive_partitioning = true)`,
      );
      expect(partitioned).toEqual([{ d: "2026-11-22", h: "05" }]);
    });

    it("gives songs_data the contract's column types, including a VARCHAR[] list and a TIMESTAMP", async () => {
      const types = await columnTypes(join(root, lakeKeys.tableFile("songs_data", SNAPSHOT, 0)));
      expect(types).toEqual({
        playlist_id: "VARCHAR",
        position: "INTEGER",
        song_id: "VARCHAR",
        song_name: "VARCHAR",
        duration_ms: "INTEGER",
        explicit: "BOOLEAN",
        popularity: "INTEGER",
        track_number: "INTEGER",
        disc_number: "INTEGER",
        isrc: "VARCHAR",
        song_url: "VARCHAR",
        album_id: "VARCHAR",
        album_name: "VARCHAR",
        artist_id: "VARCHAR",
        artist_name: "VARCHAR",
        artist_ids: "VARCHAR[]",
        added_at: "TIMESTAMP",
        added_by: "VARCHAR",
      });
    });

    it("writes songs sorted by playlist and position, keeping a track that occurs twice", async () => {
      const rows = await query(
        `SELECT playlist_id, position, song_id FROM read_parquet('${root}/songs_data/*/*/*.parquet')`,
      );
      expect(rows).toEqual([
        { playlist_id: BLUES, position: 0, song_id: TRACK.theFuneral },
        { playlist_id: BLUES, position: 4, song_id: TRACK.sugar },
        { playlist_id: ROAD_TRIP, position: 0, song_id: TRACK.theFuneral },
        { playlist_id: ROAD_TRIP, position: 4, song_id: TRACK.saoko },
        { playlist_id: ROAD_TRIP, position: 5, song_id: TRACK.theFuneral },
        { playlist_id: ROAD_TRIP, position: 7, song_id: TRACK.svefn },
      ]);
    });

    it("keeps Unicode names with commas, quotes and newlines, null added_at and missing popularity", async () => {
      const [saoko] = await query(
        `SELECT song_name, popularity, explicit, isrc, artist_id, artist_name, artist_ids,
                added_at, added_by, album_name, duration_ms
         FROM read_parquet('${root}/songs_data/*/*/*.parquet')
         WHERE playlist_id = '${ROAD_TRIP}' AND position = 4`,
      );
      expect(saoko).toEqual({
        song_name: 'SAOKO, "Live" at the\nOlympia – 東京 edit',
        popularity: null,
        explicit: true,
        isrc: "USSM12200610",
        artist_id: ARTIST.rosalia,
        artist_name: "Rosalía",
        artist_ids: [ARTIST.rosalia, ARTIST.jBalvin],
        added_at: null,
        added_by: null,
        album_name: "Motomami",
        duration_ms: 137875,
      });
    });

    it("stores added_at as UTC milliseconds and added_by as the user id (empty id -> null)", async () => {
      const rows = await query(
        `SELECT position, epoch_ms(added_at)::VARCHAR AS added_ms, strftime(added_at, '%Y-%m-%dT%H:%M:%S.%g') AS added,
                added_by, popularity, isrc
         FROM read_parquet('${root}/songs_data/*/*/*.parquet')
         WHERE playlist_id = '${ROAD_TRIP}' ORDER BY position`,
      );
      expect(rows).toEqual([
        {
          position: 0,
          added_ms: String(Date.UTC(2024, 2, 1, 12, 34, 56)),
          added: "2024-03-01T12:34:56.000",
          added_by: "mia.lindqvist",
          popularity: 68,
          isrc: "USSUB0670403",
        },
        {
          position: 4,
          added_ms: null,
          added: null,
          added_by: null,
          popularity: null,
          isrc: "USSM12200610",
        },
        {
          position: 5,
          added_ms: String(Date.UTC(2024, 2, 5, 10, 0, 0, 250)),
          added: "2024-03-05T10:00:00.250",
          added_by: "jonas",
          popularity: 68,
          isrc: "USSUB0670403",
        },
        {
          position: 7,
          added_ms: String(Date.UTC(2025, 11, 31, 23, 59, 59)),
          added: "2025-12-31T23:59:59.000",
          added_by: null,
          popularity: null,
          isrc: null,
        },
      ]);
    });

    it("accepts entries in the older shape, with the track under `track`", async () => {
      const rows = await query(
        `SELECT position, song_name, album_name, artist_name, added_by
         FROM read_parquet('${root}/songs_data/*/*/*.parquet') WHERE playlist_id = '${BLUES}'`,
      );
      expect(rows).toEqual([
        {
          position: 0,
          song_name: "The Funeral",
          album_name: "Everything All the Time",
          artist_name: "Band of Horses",
          added_by: "spotify",
        },
        {
          position: 4,
          song_name: "I Want a Little Sugar in My Bowl",
          album_name: "Nina Simone Sings the Blues",
          artist_name: "Nina Simone",
          added_by: "spotify",
        },
      ]);
    });

    it("writes one album row per album of a kept song, with the largest image or null", async () => {
      const path = join(root, lakeKeys.tableFile("albums_data", SNAPSHOT, 0));
      expect(await columnTypes(path)).toEqual({
        album_id: "VARCHAR",
        album_name: "VARCHAR",
        album_type: "VARCHAR",
        release_date: "VARCHAR",
        release_date_precision: "VARCHAR",
        total_tracks: "INTEGER",
        album_url: "VARCHAR",
        image_url: "VARCHAR",
        artist_ids: "VARCHAR[]",
      });
      const rows = await query(
        `SELECT album_id, album_name, album_type, release_date, release_date_precision,
                total_tracks, image_url, artist_ids FROM read_parquet('${path}')`,
      );
      // Sorted by album_id, code-unit order (digits < upper case < lower case).
      expect(rows).toEqual([
        {
          album_id: ALBUM.agaetisByrjun,
          album_name: "Ágætis byrjun",
          album_type: "album",
          release_date: "1999",
          release_date_precision: "year",
          total_tracks: 10,
          image_url: null,
          artist_ids: [ARTIST.sigurRos],
        },
        {
          album_id: ALBUM.motomami,
          album_name: "Motomami",
          album_type: "album",
          release_date: "2022-03",
          release_date_precision: "month",
          total_tracks: 16,
          // Listed second in `images`, but the largest.
          image_url: "https://i.scdn.co/image/ab67616d00000640b2",
          artist_ids: [ARTIST.rosalia],
        },
        {
          album_id: ALBUM.everythingAllTheTime,
          album_name: "Everything All the Time",
          album_type: "album",
          release_date: "2006-03-21",
          release_date_precision: "day",
          total_tracks: 10,
          image_url: "https://i.scdn.co/image/ab67616d00000640a1",
          artist_ids: [ARTIST.bandOfHorses],
        },
        {
          album_id: ALBUM.ninaSimoneSingsTheBlues,
          album_name: "Nina Simone Sings the Blues",
          album_type: "album",
          release_date: "1967",
          release_date_precision: "year",
          total_tracks: 11,
          image_url: "https://i.scdn.co/image/ab67616d00000640e5",
          artist_ids: [ARTIST.ninaSimone],
        },
      ]);
    });

    it("writes artists from batch and single responses, with empty genres and nulls where fields were removed", async () => {
      const path = join(root, lakeKeys.tableFile("artists_data", SNAPSHOT, 0));
      expect(await columnTypes(path)).toEqual({
        artist_id: "VARCHAR",
        artist_name: "VARCHAR",
        artist_url: "VARCHAR",
        popularity: "INTEGER",
        followers: "BIGINT",
        genres: "VARCHAR[]",
      });
      const rows = await query(
        `SELECT artist_id, artist_name, popularity, followers::VARCHAR AS followers, genres
         FROM read_parquet('${path}')`,
      );
      expect(rows).toEqual([
        {
          artist_id: ARTIST.bandOfHorses,
          artist_name: "Band of Horses",
          popularity: 62,
          followers: "1234567",
          genres: ["indie folk", "indie rock", "modern rock"],
        },
        {
          artist_id: ARTIST.sigurRos,
          artist_name: "Sigur Rós",
          popularity: null,
          followers: null,
          genres: [],
        },
        {
          artist_id: ARTIST.khruangbin,
          artist_name: "Khruangbin",
          popularity: 66,
          followers: "2100000",
          genres: [],
        },
        {
          artist_id: ARTIST.jBalvin,
          artist_name: "J Balvin",
          popularity: null,
          followers: null,
          genres: [],
        },
        {
          artist_id: ARTIST.rosalia,
          artist_name: "Rosalía",
          popularity: 81,
          followers: "15000000",
          genres: ["latin pop", 'pop flamenco, "nuevo"'],
        },
      ]);
    });

    it("writes one playlist row per playlist, with the item total of either API shape", async () => {
      const path = join(root, lakeKeys.tableFile("playlists_data", SNAPSHOT, 0));
      expect(await columnTypes(path)).toEqual({
        playlist_id: "VARCHAR",
        playlist_name: "VARCHAR",
        description: "VARCHAR",
        owner_id: "VARCHAR",
        owner_name: "VARCHAR",
        snapshot_id: "VARCHAR",
        followers: "BIGINT",
        total_items: "INTEGER",
        public: "BOOLEAN",
        collaborative: "BOOLEAN",
        playlist_url: "VARCHAR",
      });
      const rows = await query(
        `SELECT * EXCLUDE (snapshot_id) REPLACE (followers::VARCHAR AS followers)
         FROM read_parquet('${path}', hive_partitioning = false)`,
      );
      expect(rows).toEqual([
        {
          playlist_id: BLUES,
          playlist_name: 'Blues, soul, "etc."',
          description: null,
          owner_id: "old.account",
          owner_name: null,
          followers: "12",
          total_items: 5,
          public: null,
          collaborative: false,
          playlist_url: `https://open.spotify.com/playlist/${BLUES}`,
        },
        {
          playlist_id: ROAD_TRIP,
          playlist_name: 'Road trip, 2024 — "night" edition',
          description: 'Songs for a long drive &amp; a short night, "no skips"',
          owner_id: "mia.lindqvist",
          owner_name: "Mia Lindqvist",
          followers: "1523",
          total_items: 8,
          public: false,
          collaborative: false,
          playlist_url: `https://open.spotify.com/playlist/${ROAD_TRIP}`,
        },
      ]);
    });

    it("quarantines each malformed track or artist as one NDJSON line naming the reason", async () => {
      const lines = lake
        .text(lakeKeys.quarantine(SNAPSHOT))!
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map(({ record: _record, ...rest }) => rest)).toEqual([
        { source: "playlist_item", playlist_id: BLUES, position: 1, reason: "missing_artists" },
        { source: "playlist_item", playlist_id: BLUES, position: 3, reason: "invalid_added_at" },
        {
          source: "playlist_item",
          playlist_id: ROAD_TRIP,
          position: 6,
          reason: "invalid_duration",
        },
        { source: "artist", playlist_id: null, position: 1, reason: "null_artist" },
        { source: "artist", playlist_id: null, position: 0, reason: "missing_artist_name" },
      ]);
      // The record is the raw entry exactly as Spotify sent it.
      const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0001.json`)) as {
        items: unknown[];
      };
      expect(lines[2]!.record).toEqual(page.items[1]);
      expect(lines[3]!.record).toBeNull();
    });
  });

  describe("determinism and reruns", () => {
    it("produces byte-identical Parquet files, quarantine file and report from the same raw input", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const first = new MemoryObjectStore();
      const second = new MemoryObjectStore();
      const input = { rawStore: raw, snapshot: SNAPSHOT, playlistIds: [ROAD_TRIP, BLUES] };

      // Act
      await transformSnapshot({ ...input, lakeStore: first });
      // Order of the requested ids must not matter either.
      await transformSnapshot({ ...input, lakeStore: second, playlistIds: [BLUES, ROAD_TRIP] });

      // Assess
      expect(lakeObjects(second)).toEqual(lakeObjects(first));
      expect(first.objects.size).toBe(6);
    });

    it("splits a large table into parts, and a rerun with fewer parts removes the stale ones", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const input = {
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      };
      const split = await transformSnapshot({ ...input, maxRowsPerFile: 2 });
      const songsPrefix = lakeKeys.partitionPrefix("songs_data", SNAPSHOT);
      expect(await lake.list(songsPrefix)).toHaveLength(3);
      expect(split.files).toBe(3 + 2 + 3 + 1);
      const root = join(scratch, "split-lake");
      await materialize(lake, root);
      const [{ n }] = (await query(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${root}/songs_data/*/*/*.parquet')`,
      )) as [{ n: number }];
      expect(n).toBe(6);

      // Act
      const rerun = await transformSnapshot(input);

      // Assess
      expect(rerun.files).toBe(4);
      expect(await lake.list(songsPrefix)).toEqual([lakeKeys.tableFile("songs_data", SNAPSHOT, 0)]);
      for (const table of LAKE_TABLES) {
        expect(await lake.list(lakeKeys.partitionPrefix(table, SNAPSHOT))).toHaveLength(1);
      }
    });

    it("writes empty tables and removes an earlier quarantine file when nothing is quarantined", async () => {
      // Prepare: in development mode, a playlist the user does not own yields metadata only.
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
      await storeArtists(raw, SNAPSHOT, [], [], []);
      await lake.put(lakeKeys.quarantine(SNAPSHOT), '{"source":"artist"}\n');
      await lake.put(lakeKeys.tableFile("songs_data", SNAPSHOT, 0), "stale");

      // Act
      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      // Assess
      expect(report.rows).toEqual({
        songs_data: 0,
        albums_data: 0,
        artists_data: 0,
        playlists_data: 1,
      });
      expect(report.entries).toEqual({
        read: 0,
        rows: 0,
        skipped: { null_entry: 0, episode: 0, local_file: 0 },
        quarantined: {},
      });
      expect(await lake.get(lakeKeys.quarantine(SNAPSHOT))).toBeUndefined();
      const root = join(scratch, "empty-lake");
      await materialize(lake, root);
      const songs = join(root, lakeKeys.tableFile("songs_data", SNAPSHOT, 0));
      expect(await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${songs}')`)).toEqual([
        { n: 0 },
      ]);
      expect((await columnTypes(songs)).artist_ids).toBe("VARCHAR[]");
    });
  });

  it("keeps the first of an artist returned twice and counts the other as a duplicate", async () => {
    // Prepare: a batch that includes Band of Horses, then the same artist fetched alone.
    const raw = new MemoryObjectStore();
    await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
    const batch = await fixture("artists-batch.json");
    const alone = JSON.stringify((JSON.parse(batch) as { artists: unknown[] }).artists[0]);
    await storeArtists(
      raw,
      SNAPSHOT,
      [
        { body: batch, url: `${SPOTIFY_API}/artists?ids=...`, status: 200 },
        { body: alone, url: `${SPOTIFY_API}/artists/${ARTIST.bandOfHorses}`, status: 200 },
      ],
      [ARTIST.bandOfHorses, ARTIST.gone, ARTIST.khruangbin, ARTIST.rosalia],
      [],
    );

    // Act
    const report = await transformSnapshot({
      rawStore: raw,
      lakeStore: new MemoryObjectStore(),
      snapshot: SNAPSHOT,
      playlistIds: [BLUES],
    });

    // Assess
    expect(report.artists).toEqual({
      read: 5,
      rows: 3,
      duplicates: 1,
      missing: 0,
      quarantined: { null_artist: 1 },
    });
  });

  describe("raw data problems", () => {
    it("fails with RawSnapshotMissingError naming the playlist whose manifest is missing, writing nothing", async () => {
      // Prepare
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const absent = "5ZSavSbXRSVHjjXhVBpWvW";

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, absent, BLUES],
      });

      // Assess
      await expect(run).rejects.toThrow(RawSnapshotMissingError);
      await expect(run).rejects.toThrow(`playlist ${absent}`);
      expect(lake.objects.size).toBe(0);
    });

    it("fails with RawDataError naming the key of a corrupt body, writing nothing", async () => {
      // Prepare: a page truncated mid-write.
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const key = rawKeys.itemsPage(SNAPSHOT, ROAD_TRIP, 1);
      await raw.put(key, (await fixture(`items-${ROAD_TRIP}-0001.json`)).slice(0, 700));

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      });

      // Assess
      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(key);
      expect(lake.objects.size).toBe(0);
    });

    it("refuses pages that do not tile the playlist, since positions would collide", async () => {
      // Prepare: the second page claims to start at 4, overlapping the first (0..4).
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      const key = rawKeys.itemsPage(SNAPSHOT, ROAD_TRIP, 1);
      const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0001.json`)) as { offset: number };
      await raw.put(key, JSON.stringify({ ...page, offset: 4 }));

      // Act
      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP],
      });

      // Assess
      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(
        `${key} starts at offset 4, but the previous pages end at 5`,
      );
    });

    it("refuses a playlist body that belongs to another playlist", async () => {
      const raw = new MemoryObjectStore();
      await storeFixtureSnapshot(raw);
      await raw.put(rawKeys.playlist(SNAPSHOT, BLUES), await fixture(`playlist-${ROAD_TRIP}.json`));

      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow(`is not the playlist object of ${BLUES}`);
    });

    it("refuses an artists response committed with a status other than 200 or 404", async () => {
      const raw = new MemoryObjectStore();
      await storePlaylist(raw, SNAPSHOT, BLUES, await fixture(`playlist-${BLUES}.json`), []);
      await storeArtists(
        raw,
        SNAPSHOT,
        [
          {
            body: '{"error":{"status":502}}',
            url: `${SPOTIFY_API}/artists/${ARTIST.gone}`,
            status: 502,
          },
        ],
        [ARTIST.gone],
        [],
      );

      const run = transformSnapshot({
        rawStore: raw,
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      await expect(run).rejects.toThrow(RawDataError);
      await expect(run).rejects.toThrow("status 502");
    });

    it("rejects playlist ids that are not Spotify ids with InvalidInputError", async () => {
      const run = transformSnapshot({
        rawStore: new MemoryObjectStore(),
        lakeStore: new MemoryObjectStore(),
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, "../../etc/passwd"],
      });

      await expect(run).rejects.toThrow(InvalidInputError);
      await expect(run).rejects.toThrow('"../../etc/passwd"');
    });

    it("quarantines a playlist whose metadata is malformed but still transforms its entries", async () => {
      const raw = new MemoryObjectStore();
      const lake = new MemoryObjectStore();
      const body = JSON.parse(await fixture(`playlist-${BLUES}.json`)) as Record<string, unknown>;
      delete body.snapshot_id;
      await storePlaylist(raw, SNAPSHOT, BLUES, JSON.stringify(body), [
        {
          body: await fixture(`tracks-${BLUES}-0000.json`),
          url: `${SPOTIFY_API}/playlists/${BLUES}/tracks`,
        },
      ]);
      await storeArtists(raw, SNAPSHOT, [], [], []);

      const report = await transformSnapshot({
        rawStore: raw,
        lakeStore: lake,
        snapshot: SNAPSHOT,
        playlistIds: [BLUES],
      });

      expect(report.rows.playlists_data).toBe(0);
      expect(report.rows.songs_data).toBe(2);
      expect(report.playlistsQuarantined).toEqual({ missing_snapshot_id: 1 });
      const first = JSON.parse(lake.text(lakeKeys.quarantine(SNAPSHOT))!.split("\n")[0]!);
      expect(first).toMatchObject({
        source: "playlist",
        playlist_id: BLUES,
        reason: "missing_snapshot_id",
      });
      // The first page embedded in the playlist body is left out of the record.
      expect(first.record.tracks.items).toBeUndefined();
      expect(first.record.tracks.total).toBe(5);
    });
  });
});

describe("entryOutcomeOf", () => {
  const base = async () => {
    const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0000.json`)) as {
      items: { item: Record<string, unknown> }[];
    };
    return structuredClone(page.items[0]!) as { item: Record<string, unknown> } & Record<
      string,
      unknown
    >;
  };

  it.each([
    [
      "an id that is not 22 base-62 characters",
      (e: Entry2) => (e.item.id = "abc"),
      "invalid_song_id",
    ],
    ["no id", (e: Entry2) => (e.item.id = null), "missing_song_id"],
    ["no name", (e: Entry2) => delete e.item.name, "missing_song_name"],
    ["a negative duration", (e: Entry2) => (e.item.duration_ms = -1), "invalid_duration"],
    ["popularity above 100", (e: Entry2) => (e.item.popularity = 101), "invalid_popularity"],
    ["no album", (e: Entry2) => (e.item.album = null), "missing_album"],
    [
      "an album without id",
      (e: Entry2) => ((e.item.album as Entry2["item"]).id = null),
      "invalid_album_id",
    ],
    [
      "a release date that does not match its precision",
      (e: Entry2) => ((e.item.album as Entry2["item"]).release_date = "2006"),
      "invalid_release_date",
    ],
    [
      "an unknown release date precision",
      (e: Entry2) => ((e.item.album as Entry2["item"]).release_date_precision = "week"),
      "invalid_release_date_precision",
    ],
    [
      "an artist without id",
      (e: Entry2) => ((e.item.artists as Entry2["item"][])[0]!.id = null),
      "invalid_artist_id",
    ],
    [
      "a 31 February added_at",
      (e: Entry2) => (e.added_at = "2024-02-31T10:00:00Z"),
      "invalid_added_at",
    ],
    ["an audiobook chapter", (e: Entry2) => (e.item.type = "chapter"), "unsupported_item_type"],
  ])("quarantines a track with %s", async (_what, spoil, reason) => {
    const entry = await base();
    spoil(entry);
    expect(entryOutcomeOf(entry, ROAD_TRIP, 0)).toEqual({ kind: "quarantined", reason });
  });

  it("treats an absent popularity (development-mode apps) as null, not as malformed", async () => {
    const entry = await base();
    delete entry.item.popularity;
    const outcome = entryOutcomeOf(entry, ROAD_TRIP, 3);
    expect(outcome).toMatchObject({ kind: "song", song: { popularity: null, position: 3 } });
  });

  it("prefers `item` over `track` when an entry carries both", async () => {
    const entry = await base();
    entry.track = { ...entry.item, id: "0000000000000000000000" };
    expect(entryOutcomeOf(entry, ROAD_TRIP, 0)).toMatchObject({
      song: { song_id: TRACK.theFuneral },
    });
  });
});

type Entry2 = { item: Record<string, unknown> } & Record<string, unknown>;

describe("assertAccounting", () => {
  it("throws, naming the counts, when entries do not add up to those read", () => {
    const report: TransformReport = {
      snapshot: SNAPSHOT.iso,
      playlists: 1,
      rows: { songs_data: 3, albums_data: 1, artists_data: 0, playlists_data: 1 },
      entries: {
        read: 5,
        rows: 3,
        skipped: { null_entry: 1, episode: 0, local_file: 0 },
        quarantined: {},
      },
      artists: { read: 0, rows: 0, duplicates: 0, missing: 0, quarantined: {} },
      playlistsQuarantined: {},
      files: 4,
    };
    expect(() => assertAccounting(report)).toThrow(
      "entries: rows 3 + skipped 1 + quarantined 0 = 4, but 5 were read",
    );
    report.entries.skipped.episode = 1;
    expect(() => assertAccounting(report)).not.toThrow();
  });
});

describe("transformSnapshot at scale", () => {
  /** Track `n` of a pool of 20,000, drawn so that albums and artists repeat across tracks. */
  const pooledTrack = (n: number) =>
    track(n, {
      album: n % 5_000,
      artists: [n % 2_000, ((n % 2_000) + 7) % 2_000],
      albumImages: [640, 300, 64],
      popularity: n % 101,
    });

  it("measures how long 100,000 entries take (printed, not asserted)", async () => {
    // Prepare: 100 playlists of 1,000 entries in pages of 50, over a pool of 20,000 tracks.
    const raw = new MemoryObjectStore();
    const playlistIds: string[] = [];
    for (let p = 0; p < 100; p++) {
      const playlistId = sid("pl", p);
      playlistIds.push(playlistId);
      const pages = [];
      for (let offset = 0; offset < 1_000; offset += 50) {
        const items = Array.from({ length: 50 }, (_, i) =>
          playlistEntry(pooledTrack((p * 997 + offset + i) % 20_000), {
            addedAt: new Date(Date.UTC(2025, 0, 1) + (offset + i) * 60_000).toISOString(),
          }),
        );
        const page = itemsPage({ playlistId, offset, total: 1_000, items });
        pages.push({ url: page.href, body: JSON.stringify(page) });
      }
      const body = playlistObject(playlistId, { total: 1_000 });
      await storePlaylist(raw, SNAPSHOT, playlistId, JSON.stringify(body), pages);
    }
    const artists = Array.from({ length: 2_000 }, (_, a) =>
      artist(sid("ar", a), { genres: ["indie"], popularity: a % 101, followers: a * 1_000 }),
    );
    const batches = [];
    for (let i = 0; i < artists.length; i += 50) {
      batches.push({
        body: JSON.stringify({ artists: artists.slice(i, i + 50) }),
        url: `${SPOTIFY_API}/artists?ids=...`,
        status: 200,
      });
    }
    await storeArtists(
      raw,
      SNAPSHOT,
      batches,
      artists.map((a) => a.id),
      [],
    );
    const lake = new MemoryObjectStore();
    const heapBefore = process.memoryUsage().heapUsed;

    // Act
    const started = performance.now();
    const report = await transformSnapshot({
      rawStore: raw,
      lakeStore: lake,
      snapshot: SNAPSHOT,
      playlistIds,
    });
    const seconds = (performance.now() - started) / 1000;

    // Assess
    expect(report.entries.read).toBe(100_000);
    expect(report.rows).toEqual({
      songs_data: 100_000,
      albums_data: 5_000,
      artists_data: 2_000,
      playlists_data: 100,
    });
    const parquetBytes = [...lake.objects]
      .filter(([key]) => key.endsWith(".parquet"))
      .reduce((n, [, body]) => n + body.length, 0);
    console.log(
      `transform of 100,000 entries: ${seconds.toFixed(2)} s ` +
        `(${Math.round(100_000 / seconds).toLocaleString("en")} entries/s), ` +
        `Parquet ${(parquetBytes / 1e6).toFixed(1)} MB, ` +
        `heap growth ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB`,
    );
  });
});
