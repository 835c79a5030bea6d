// Reading the Map's per-playlist outcomes and summarizing them for CheckExtraction.

import { describe, expect, it } from "vitest";
import { parseSnapshotHour } from "../../../functions/commons/snapshot";
import { rawKeys } from "../../../functions/commons/keys";
import {
  playlistsNeedingArtists,
  readPlaylistOutcomes,
  summarizeExtraction,
} from "../../../functions/core/extract/extraction-outcomes";
import { MemoryObjectStore } from "../../support/memory-object-store";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const OK = "3cEYpjA9oz9GiPac4AsH4n";
const GONE = "37i9dQZEVXbMDoHDwVN2tF";
const ARTISTS = { manifestKey: "k", artistCount: 12, responseCount: 12, missingArtistCount: 1 };
const lambdaCause = (message: string) =>
  JSON.stringify({ errorType: "PlaylistUnavailableError", errorMessage: message });

describe("Extraction outcomes", () => {
  it("sum the entries of the extracted playlists and name each unavailable one with its reason", () => {
    const outcomes = readPlaylistOutcomes([
      { playlistId: OK, available: true, entryCount: 60, pageCount: 2, artistCount: 9 },
      {
        playlistId: GONE,
        available: false,
        cause: lambdaCause(`Playlist unavailable: ${GONE}: 404`),
      },
    ]);
    expect(summarizeExtraction(outcomes, ARTISTS)).toEqual({
      playlists: 1,
      entries: 60,
      artists: 12,
      missingArtists: 1,
      unavailablePlaylistCount: 1,
      unavailablePlaylists: `Playlist unavailable: ${GONE}: 404`,
    });
  });

  it("name the playlist when the cause does not", () => {
    const outcomes = readPlaylistOutcomes([
      { playlistId: GONE, available: false, cause: "Forbidden" },
    ]);
    expect(summarizeExtraction(outcomes, ARTISTS).unavailablePlaylists).toBe(`${GONE}: Forbidden`);
  });

  it("refuse anything that is not a Map result, naming the element", () => {
    expect(() => readPlaylistOutcomes([{ playlistId: "../x", available: true }])).toThrow(
      /playlists\[0\]/,
    );
    expect(() => readPlaylistOutcomes([{ playlistId: OK, available: true }])).toThrow(
      /playlists\[0\].entryCount/,
    );
  });

  it("keep the artists of an unavailable playlist whose earlier extraction of this hour is kept", async () => {
    const store = new MemoryObjectStore();
    await store.put(rawKeys.playlistManifest(SNAPSHOT, GONE), "{}");
    const outcomes = readPlaylistOutcomes([
      { playlistId: OK, available: true, entryCount: 1 },
      { playlistId: GONE, available: false },
      { playlistId: "0JQ5DAqbMKFQ00XGBls6ym", available: false },
    ]);
    expect(await playlistsNeedingArtists(store, SNAPSHOT, outcomes)).toEqual([OK, GONE]);
  });
});
