// Specification of extracting the artists of a snapshot's playlists
// (functions/core/extract/extract-artists.ts): one request per batch or per artist, the ones
// Spotify does not know, byte-identical reruns that drop leftovers, and refusing a playlist
// manifest that is missing or not what extraction writes. Spotify is
// test/support/in-memory-spotify.ts, driven through the real client.

import { describe, expect, it } from "vitest";
import { RawDataError, RawSnapshotMissingError } from "../../../functions/commons/errors";
import { rawKeys } from "../../../functions/commons/keys";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { extractArtists } from "../../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { readArtistsManifest } from "../../../functions/core/raw-manifests";
import { InMemorySpotify, bigPlaylist, entry } from "../../support/in-memory-spotify";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { sid } from "../../support/spotify-payloads";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const PLAYLIST_A = "3cEYpjA9oz9GiPac4AsH4n";
const PLAYLIST_B = "1Cgey68pUlQGsCPI2wJuxr";

/** Extracts the artists of `playlistIds` of the snapshot from `spotify` into `store`. */
const extractArtistsOf = (
  spotify: InMemorySpotify,
  store: MemoryObjectStore,
  playlistIds: string[],
) =>
  extractArtists({ spotify: spotify.client(), rawStore: store, snapshot: SNAPSHOT, playlistIds });

describe("Function: extractArtists", () => {
  async function extractedPlaylists(spotify: InMemorySpotify, store: MemoryObjectStore) {
    for (const playlistId of [PLAYLIST_A, PLAYLIST_B]) {
      await extractPlaylist({
        spotify: spotify.client(),
        rawStore: store,
        snapshot: SNAPSHOT,
        playlistId,
      });
    }
  }

  it("fetches the union of the playlists' artists once each and records the ones Spotify does not know", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, { entries: [entry(1, 1, 2), entry(2, 2, 3)] });
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(3, 3, 4), entry(4, 60, 1)] });
    for (const k of [1, 2, 3, 4]) spotify.artists.add(sid("ar", k));
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);

    // Act
    const result = await extractArtistsOf(spotify, store, [PLAYLIST_B, PLAYLIST_A]);

    // Assess
    const wanted = [1, 2, 3, 4, 60].map((k) => sid("ar", k)).sort();
    expect(spotify.paths.filter((p) => p.startsWith("/artists"))).toEqual([
      `/artists?ids=${wanted.join(",")}`,
    ]);
    expect(result).toEqual({
      manifestKey: rawKeys.artistsManifest(SNAPSHOT),
      artistCount: 5,
      responseCount: 1,
      missingArtistCount: 1,
      fetchedArtistCount: 5,
      // What each playlist's manifest says, in id order: the run's summary is counted from it.
      playlists: [PLAYLIST_A, PLAYLIST_B]
        .sort()
        .map((playlistId) => ({ playlistId, available: true, entryCount: 2 })),
    });
    const manifest = await readArtistsManifest(store, SNAPSHOT);
    const [response] = manifest.responses;
    expect(manifest).toEqual({
      format: 1,
      snapshot: SNAPSHOT.iso,
      artistIds: wanted,
      responses: [
        {
          // Stored by content, outside the hour's folder, so later hours can list it too.
          key: expect.stringMatching(/^spotify\/artist_details\/sha256=[0-9a-f]{64}\.json$/),
          url: `https://api.spotify.com/v1/artists?ids=${wanted.join(",")}`,
          status: 200,
          fetchedAt: SNAPSHOT.iso,
          artistIds: wanted.filter((id) => id !== sid("ar", 60)),
        },
      ],
      missingArtistIds: [sid("ar", 60)],
    });
    expect(JSON.parse(store.text(response!.key)!).artists[4]).toBeNull();
  });

  it("stores one response per artist in development mode, 404s included, and drops leftovers of a larger run", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, { entries: [entry(1, 1, 2), entry(2, 2, 3)] });
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(3, 3, 4)] });
    for (const k of [1, 2, 4]) spotify.artists.add(sid("ar", k));
    spotify.batchArtists = false;
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);
    await extractArtistsOf(spotify, store, [PLAYLIST_A, PLAYLIST_B]);

    // A response an older version of the pipeline kept in the hour's folder.
    await store.put(rawKeys.artistsResponse(SNAPSHOT, 3), "{}");
    const requestsBefore = spotify.paths.length;

    // Act: the rerun only covers playlist A, so fewer artists.
    const result = await extractArtistsOf(spotify, store, [PLAYLIST_A]);

    // Assess: artists 1 and 2 were fetched this hour and are still fresh; 3 is unknown (404,
    // never stored as details), so it is asked again (after the client's one probe of the
    // batch endpoint, which this development-mode Spotify refuses).
    expect(spotify.paths.slice(requestsBefore)).toEqual([
      `/artists?ids=${sid("ar", 3)}`,
      `/artists/${sid("ar", 3)}`,
    ]);
    expect(result).toEqual({
      manifestKey: rawKeys.artistsManifest(SNAPSHOT),
      artistCount: 3,
      responseCount: 3,
      missingArtistCount: 1,
      fetchedArtistCount: 1,
      playlists: [{ playlistId: PLAYLIST_A, available: true, entryCount: expect.any(Number) }],
    });
    const manifest = await readArtistsManifest(store, SNAPSHOT);
    expect(
      manifest.responses
        .map((r) => [r.url.split("/").at(-1), r.status, r.artistIds])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      [sid("ar", 1), 200, [sid("ar", 1)]],
      [sid("ar", 2), 200, [sid("ar", 2)]],
      [sid("ar", 3), 404, []],
    ]);
    expect(manifest.missingArtistIds).toEqual([sid("ar", 3)]);
    expect(await store.list(rawKeys.artistsPrefix(SNAPSHOT))).toEqual([
      rawKeys.artistsManifest(SNAPSHOT),
    ]);
  });

  it("writes a byte-identical artists layer when rerun", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    spotify.playlists.set(PLAYLIST_A, bigPlaylist(70));
    spotify.playlists.set(PLAYLIST_B, { entries: [entry(1, 11, 12)] });
    for (let k = 0; k < 13; k++) spotify.artists.add(sid("ar", k));
    const store = new MemoryObjectStore();
    await extractedPlaylists(spotify, store);
    const run = () => extractArtistsOf(spotify, store, [PLAYLIST_A, PLAYLIST_B]);

    // Act
    await run();
    const first = store.texts();
    await run();

    // Assess
    expect(store.texts()).toEqual(first);
  });

  it("names the playlist and key when a playlist was never extracted", async () => {
    // Prepare
    const spotify = new InMemorySpotify();
    const store = new MemoryObjectStore();

    // Act
    const error = await extractArtistsOf(spotify, store, [PLAYLIST_B]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RawSnapshotMissingError);
    expect((error as Error).message).toContain(PLAYLIST_B);
    expect((error as Error).message).toContain(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_B));
    expect(spotify.paths).toEqual([]);
  });

  it("refuses a playlist manifest that is not what extraction writes", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    await store.put(
      rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A),
      '{"format":1,"snapshot":"2026-11-22T05:00:00.000Z"',
    );

    // Act
    const error = await extractArtists({
      spotify: new InMemorySpotify().client(),
      rawStore: store,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST_A],
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RawDataError);
    expect((error as Error).message).toContain(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST_A));
  });
});
