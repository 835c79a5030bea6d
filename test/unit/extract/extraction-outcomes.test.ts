// Reading the Map's per-playlist outcomes and summarizing them: ids and counts only.

import { describe, expect, it } from "vitest";
import {
  readPlaylistOutcomes,
  summarizeExtraction,
} from "../../../functions/core/extract/extraction-outcomes";

const OK = "3cEYpjA9oz9GiPac4AsH4n";
const GONE = "37i9dQZEVXbMDoHDwVN2tF";
const ARTISTS = {
  manifestKey: "k",
  artistCount: 12,
  responseCount: 12,
  missingArtistCount: 1,
  fetchedArtistCount: 12,
};

describe("Extraction outcomes", () => {
  it("sum the entries of the extracted playlists and count the refused ones", () => {
    const outcomes = readPlaylistOutcomes([
      { playlistId: OK, available: true, entryCount: 60, pageCount: 2, artistCount: 9 },
      { playlistId: GONE, available: false, entryCount: 0, pageCount: 0, artistCount: 0 },
    ]);
    expect(summarizeExtraction(outcomes, ARTISTS)).toEqual({
      playlists: 1,
      entries: 60,
      artists: 12,
      missingArtists: 1,
      unavailablePlaylistCount: 1,
    });
  });

  it("refuse anything that is not a Map result, naming the element", () => {
    expect(() => readPlaylistOutcomes([{ playlistId: "../x", available: true }])).toThrow(
      /playlists\[0\]/,
    );
    expect(() => readPlaylistOutcomes([{ playlistId: OK, available: true }])).toThrow(
      /playlists\[0\].entryCount/,
    );
  });
});
