// Specification of refreshing artists instead of refetching them
// (functions/core/extract/artist-details.ts, used by extract-artists.ts): an hour asks Spotify
// only for artists it has never seen or whose stored details are at least the stage's maximum
// age (24 h by default) old; its manifest says where every artist's details are and when they
// were fetched, so an old hour keeps what it used.

import { describe, expect, it } from "vitest";
import { rawKeys } from "../../../functions/commons/keys";
import { parseSnapshotHour, type SnapshotHour } from "../../../functions/commons/snapshot";
import { extractArtists } from "../../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { readArtistsManifest } from "../../../functions/core/raw-manifests";
import { InMemorySpotify, entry } from "../../support/in-memory-spotify";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { sid } from "../../support/spotify-payloads";

const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";
const hour = (h: number): SnapshotHour =>
  parseSnapshotHour(new Date(Date.parse("2026-11-22T00:00:00Z") + h * 3_600_000).toISOString());

/** A Spotify whose playlist holds tracks by `artists` (every artist known to it). */
function spotifyWith(artists: number[], batch = false): InMemorySpotify {
  const spotify = new InMemorySpotify();
  spotify.batchArtists = batch;
  for (let k = 0; k < 80; k++) spotify.artists.add(sid("ar", k));
  spotify.playlists.set(PLAYLIST, { entries: artists.map((a, n) => entry(n, a, a)) });
  return spotify;
}

/** Extracts the playlist and its artists for `at`; returns the artist requests it made. */
async function runHour(
  spotify: InMemorySpotify,
  store: MemoryObjectStore,
  at: SnapshotHour,
  maxAgeHours?: number,
): Promise<string[]> {
  const client = spotify.client();
  await extractPlaylist({ spotify: client, rawStore: store, snapshot: at, playlistId: PLAYLIST });
  const before = spotify.paths.length;
  await extractArtists({
    spotify: client,
    rawStore: store,
    snapshot: at,
    playlistIds: [PLAYLIST],
    ...(maxAgeHours === undefined ? {} : { maxAgeHours }),
  });
  // The one probe of the batch endpoint a client of unknown mode makes is not a fetch.
  return spotify.paths
    .slice(before)
    .filter((p) => p.startsWith("/artists/") || (batch(spotify) && p.startsWith("/artists?")));
}
const batch = (spotify: InMemorySpotify) => spotify.batchArtists;

describe("Module: artist details (refreshed, not refetched)", () => {
  it("fetches only the artists never seen before, and takes the others' stored details with their fetch time", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const spotify = spotifyWith([1, 2, 3]);
    await runHour(spotify, store, hour(0));
    spotify.playlists.set(PLAYLIST, { entries: [1, 2, 3, 4].map((a, n) => entry(n, a, a)) });

    // Act
    const fetched = await runHour(spotify, store, hour(1));

    // Assess
    expect(fetched).toEqual([`/artists/${sid("ar", 4)}`]);
    const manifest = await readArtistsManifest(store, hour(1));
    const fetchedAt = new Map(
      manifest.responses.flatMap((r) => (r.artistIds ?? []).map((id) => [id, r.fetchedAt])),
    );
    expect([...fetchedAt].sort()).toEqual([
      [sid("ar", 1), hour(0).iso],
      [sid("ar", 2), hour(0).iso],
      [sid("ar", 3), hour(0).iso],
      [sid("ar", 4), hour(1).iso],
    ]);
  });

  it("fetches again the details that reached the maximum age (24 h by default, or the stage's)", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const spotify = spotifyWith([1, 2]);
    await runHour(spotify, store, hour(0));

    // Act
    const at23 = await runHour(spotify, store, hour(23));
    const at24 = await runHour(spotify, store, hour(24));
    const at26 = await runHour(spotify, store, hour(26), 2);

    // Assess
    expect(at23).toEqual([]);
    expect(at24).toEqual([`/artists/${sid("ar", 1)}`, `/artists/${sid("ar", 2)}`]);
    expect(at26).toEqual([`/artists/${sid("ar", 1)}`, `/artists/${sid("ar", 2)}`]);
    expect(JSON.parse(store.text(rawKeys.artistDetailsIndex)!).artists).toEqual([
      expect.objectContaining({ id: sid("ar", 1), fetchedAt: hour(26).iso }),
      expect.objectContaining({ id: sid("ar", 2), fetchedAt: hour(26).iso }),
    ]);
  });

  it("asks the batch endpoint (extended mode) only for the artists that must be fetched", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const spotify = spotifyWith([1, 2, 3], true);
    await runHour(spotify, store, hour(0));
    spotify.playlists.set(PLAYLIST, { entries: [1, 2, 3, 5, 6].map((a, n) => entry(n, a, a)) });

    // Act
    const fetched = await runHour(spotify, store, hour(1));

    // Assess
    expect(fetched).toEqual([`/artists?ids=${sid("ar", 5)},${sid("ar", 6)}`]);
  });

  it("keeps an old hour's artists on a rerun after newer hours, and never uses details fetched later", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const spotify = spotifyWith([1, 2]);
    await runHour(spotify, store, hour(0));
    const committed = store.text(rawKeys.artistsManifest(hour(0)));
    await runHour(spotify, store, hour(30));

    // Act
    const rerun = await runHour(spotify, store, hour(0));
    await store.delete([rawKeys.artistsManifest(hour(0))]);
    const lost = await runHour(spotify, store, hour(0));

    // Assess
    expect(rerun).toEqual([]);
    expect(lost).toHaveLength(2);
    expect(store.text(rawKeys.artistsManifest(hour(0)))).toBe(committed);
    // Details fetched for hour 30 stay the freshest in the index.
    expect(JSON.parse(store.text(rawKeys.artistDetailsIndex)!).artists[0].fetchedAt).toBe(
      hour(30).iso,
    );
  });
});
