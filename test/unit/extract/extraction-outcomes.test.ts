// Summarizing what the playlists' manifests say (as ExtractArtists read them): counts only.

import { describe, expect, it } from "vitest";
import { summarizeExtraction } from "../../../functions/core/extract/extraction-outcomes";

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
    const playlists = [
      { playlistId: OK, available: true as const, entryCount: 60 },
      { playlistId: GONE, available: false as const },
    ];
    expect(summarizeExtraction({ ...ARTISTS, playlists })).toEqual({
      playlists: 1,
      entries: 60,
      artists: 12,
      missingArtists: 1,
      unavailablePlaylistCount: 1,
    });
  });
});
