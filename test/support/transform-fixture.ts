// The transform's fixture snapshot: two recorded playlists (one per API shape, with every
// entry quirk) and the artists step's answers, bodies as Spotify returns them
// (test/fixtures/spotify-raw), stored as extraction leaves them. Also the ids the tests
// assert on, and the describe block of tests on the snapshot transformed once.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe } from "vitest";
import { lakeKeys, type LakeTable } from "../../functions/commons/keys";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import type { TransformReport } from "../../functions/core/transform/report";
import { transformSnapshot } from "../../functions/core/transform/transform-snapshot";
import { lakeFiles, type LakeFiles } from "./lake-files";
import { MemoryObjectStore } from "./memory-object-store";
import { storeArtists, storePlaylist } from "./raw-layer";
import { SPOTIFY_API } from "./spotify-payloads";

const FIXTURES = join(__dirname, "..", "fixtures", "spotify-raw");
export const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");

/** Playlist "Road trip" (2026 shape: `items` / `item`), two pages of 5 + 3 entries. */
export const ROAD_TRIP = "3cEYpjA9oz9GiPac4AsH4n";
/** Playlist "Blues, soul" (older shape: `tracks` / `track`), one page of 5 entries. */
export const BLUES = "37i9dQZF1DXcBWIGoYBM5M";

export const ARTIST = {
  bandOfHorses: "Dq0k3FHjzOkQX0Nm37e4uu",
  rosalia: "aopaBoW3iS91jdYIvAJXT5",
  sigurRos: "EjzHQKmxduwPI9PMlLsm7V",
  jBalvin: "TqYc8AefS68M6ZWYx0HPGs",
  khruangbin: "Qhnqvf0YRog04ek6tmbZxE",
  ninaSimone: "HcZcLzpM7Qz0BhIaf3wIti",
  gone: "oGdW9F3D34ECPGTEARmpqU",
};
export const ALBUM = {
  everythingAllTheTime: "XByf5xgXQm4oJ1uXUVweaq",
  motomami: "NveCsy5KZ0YvUyC8KQnlH5",
  agaetisByrjun: "3F7XDLZo8LBYoqYLPxaXLU",
  ninaSimoneSingsTheBlues: "mtevkjwHXIfwETExeqXH3b",
};
export const TRACK = {
  theFuneral: "iOW2NgLSJyP0xnoDHLGc0T",
  saoko: "17TeFBm9YJyqSh32A2Mk47",
  svefn: "coz3aO2QitNC6OxOeExC3I",
  sugar: "gQdHC0FXiFizUEo6P9F9d1",
};

/** The text of a file under test/fixtures/spotify-raw. */
export async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), "utf8");
}

/** The whole fixture snapshot: both playlists and the artists step, as extraction leaves it. */
export async function storeFixtureSnapshot(
  store: MemoryObjectStore,
  snapshot = SNAPSHOT,
): Promise<void> {
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
  // One batch answer, then artists fetched one by one (the last one Spotify no longer knows).
  const singles: [file: string, artistId: string, status: number][] = [
    ["artist-sigur-ros.json", ARTIST.sigurRos, 200],
    ["artist-nina-simone-no-name.json", ARTIST.ninaSimone, 200],
    ["artist-j-balvin.json", ARTIST.jBalvin, 200],
    ["artist-gone-404.json", ARTIST.gone, 404],
  ];
  await storeArtists(
    store,
    snapshot,
    [
      {
        body: await fixture("artists-batch.json"),
        url: `${SPOTIFY_API}/artists?ids=${ARTIST.bandOfHorses},${ARTIST.gone},${ARTIST.khruangbin},${ARTIST.rosalia}`,
        status: 200,
      },
      ...(await Promise.all(
        singles.map(async ([file, artistId, status]) => ({
          body: await fixture(file),
          url: `${SPOTIFY_API}/artists/${artistId}`,
          status,
        })),
      )),
    ],
    wanted,
    [ARTIST.gone],
  );
}

export interface TransformedFixture {
  raw: MemoryObjectStore;
  lake: MemoryObjectStore;
  report: TransformReport;
  /** The lake as files, for DuckDB. */
  root: string;
  /** The file of a table's one part in `root`. */
  tableFile(table: LakeTable): string;
}

/**
 * The describe block of tests on the fixture snapshot: it is transformed once, before them,
 * and its lake copied into files DuckDB reads. The fields of `transformed` are set when the
 * tests run.
 */
export function onTheFixtureSnapshot(
  tests: (transformed: TransformedFixture, files: Omit<LakeFiles, "materialize">) => void,
): void {
  describe("on the fixture snapshot (two playlists, both API shapes, every entry quirk)", () => {
    const files = lakeFiles();
    const transformed = {
      tableFile: (table: LakeTable) =>
        join(transformed.root, lakeKeys.tableFile(table, SNAPSHOT, transformed.report.version, 0)),
    } as TransformedFixture;
    beforeAll(async () => {
      transformed.raw = new MemoryObjectStore();
      transformed.lake = new MemoryObjectStore();
      await storeFixtureSnapshot(transformed.raw);
      transformed.report = await transformSnapshot({
        rawStore: transformed.raw,
        lakeStore: transformed.lake,
        snapshot: SNAPSHOT,
        playlistIds: [ROAD_TRIP, BLUES],
      });
      transformed.root = await files.materialize(transformed.lake, "fixture-lake");
    });
    tests(transformed, files);
  });
}
