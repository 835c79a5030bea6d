// The emulator's sample catalogue (local/spotify-emulator/sample-data.ts): deterministic from
// its options, a scale that keeps scale 1 as its prefix, the advertised sizes, valid ids, and
// every quirk of the 2026 API in the playlist named for it.

import { describe, expect, it } from "vitest";
import {
  SAMPLE_IDS,
  SAMPLE_PLAYLIST_IDS,
  catalogueStats,
  entryKind,
  generateSampleCatalogue,
} from "../../../local/spotify-emulator/sample-data";
import { SPOTIFY_ID, playlistOf, sample } from "../../support/emulator-http";

describe("Spotify emulator", () => {
  describe("determinism", () => {
    it("generates a byte-identical catalogue from the same options, and another from another seed", () => {
      const again = generateSampleCatalogue();
      const other = generateSampleCatalogue({ seed: 7 });

      expect(JSON.stringify(again)).toBe(JSON.stringify(sample));
      expect(other.playlists[0]!.playlist.id).not.toBe(sample.playlists[0]!.playlist.id);
    });

    it("keeps the scale-1 playlists as the prefix of a larger scale, every id unique and valid", () => {
      const scaled = generateSampleCatalogue({ scale: 100 });
      const ids = scaled.playlists.map((p) => p.playlist.id);

      expect(scaled.playlists).toHaveLength(2400);
      expect(new Set(ids).size).toBe(2400);
      expect(ids.every((id) => SPOTIFY_ID.test(id))).toBe(true);
      expect(ids.slice(0, 24)).toEqual(SAMPLE_PLAYLIST_IDS);
      expect(JSON.stringify(scaled.playlists[5])).toBe(JSON.stringify(sample.playlists[5]));
    });
  });

  describe("sample catalogue", () => {
    const entries = sample.playlists.flatMap((p) => p.entries);
    const tracks = entries.flatMap((e) => (e.item?.type === "track" ? [e.item] : []));
    const albums = tracks.map((t) => t.album);
    const names = [
      ...sample.playlists.map((p) => p.playlist.name),
      ...tracks.map((t) => t.name),
      ...sample.artists.map((a) => a.name),
    ];

    it("contains every quirk of the 2026 API at least once", () => {
      const quirks = {
        nullEntries: entries.filter((e) => e.item === null).length,
        episodes: entries.filter((e) => e.item?.type === "episode" && e.item.show.type === "show")
          .length,
        localFiles: tracks.filter(
          (t) =>
            t.is_local &&
            t.id === null &&
            t.uri.startsWith("spotify:local:") &&
            t.album.id === null &&
            t.artists.every((a) => a.id === null),
        ).length,
        albumsWithoutImages: albums.filter((a) => a.id !== null && a.images.length === 0).length,
        yearPrecision: albums.filter(
          (a) => a.release_date_precision === "year" && /^\d{4}$/.test(a.release_date!),
        ).length,
        monthPrecision: albums.filter(
          (a) => a.release_date_precision === "month" && /^\d{4}-\d{2}$/.test(a.release_date!),
        ).length,
        dayPrecision: albums.filter(
          (a) => a.release_date_precision === "day" && /^\d{4}-\d{2}-\d{2}$/.test(a.release_date!),
        ).length,
        commas: names.filter((n) => n.includes(",")).length,
        doubleQuotes: names.filter((n) => n.includes('"')).length,
        apostrophes: names.filter((n) => n.includes("'")).length,
        newlines: names.filter((n) => n.includes("\n")).length,
        emoji: names.filter((n) => /\p{Extended_Pictographic}/u.test(n)).length,
        cjk: names.filter((n) => /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(n)).length,
        accents: names.filter((n) => /[À-ÿ]/.test(n)).length,
        nullAddedAt: entries.filter((e) => e.added_at === null).length,
        duplicates: catalogueStats(sample).duplicateEntries,
        artistsWithoutGenres: sample.artists.filter((a) => a.genres.length === 0).length,
        explicit: tracks.filter((t) => t.explicit).length,
        clean: tracks.filter((t) => !t.explicit).length,
      };

      for (const [quirk, count] of Object.entries(quirks)) {
        expect({ quirk, present: count > 0 }).toEqual({ quirk, present: true });
      }
    });

    it("has the advertised size: 24 playlists, long ones over a page, an empty and a one-entry one", () => {
      const sizes = Object.fromEntries(
        sample.playlists.map((p) => [p.playlist.id, p.entries.length]),
      );

      expect(sample.playlists).toHaveLength(24);
      expect(sizes[SAMPLE_IDS.multiPagePlaylist]).toBe(230);
      expect(sizes[SAMPLE_IDS.threePagePlaylist]).toBe(120);
      expect(sizes[SAMPLE_IDS.twoPagePlaylist]).toBe(60);
      expect(sizes[SAMPLE_IDS.emptyPlaylist]).toBe(0);
      expect(sizes[SAMPLE_IDS.singleEntryPlaylist]).toBe(1);
      expect(sample.artists).toHaveLength(150);
    });

    it("uses valid 22-character base-62 ids everywhere an id is not null", () => {
      const ids = [
        ...sample.playlists.map((p) => p.playlist.id),
        ...sample.artists.map((a) => a.id),
        ...tracks.flatMap((t) => [t.id, t.album.id, ...t.artists.map((a) => a.id)]),
      ].filter((id): id is string => id !== null);

      expect(ids.filter((id) => !SPOTIFY_ID.test(id))).toEqual([]);
    });

    it("puts each special case in the playlist named for it", () => {
      const kinds = (id: string) => playlistOf(sample, id).entries.map(entryKind);
      const quirky = kinds(SAMPLE_IDS.quirksPlaylist);

      expect(quirky.filter((k) => k === "null")).toHaveLength(3);
      expect(quirky.filter((k) => k === "episode")).toHaveLength(4);
      expect(quirky.filter((k) => k === "local")).toHaveLength(3);
      expect(playlistOf(sample, SAMPLE_IDS.addedAtNullPlaylist).entries[0]!.added_at).toBeNull();
      expect(
        catalogueStats({
          playlists: [playlistOf(sample, SAMPLE_IDS.duplicatesPlaylist)],
          artists: [],
        }).duplicateEntries,
      ).toBeGreaterThanOrEqual(3);
      expect(playlistOf(sample, SAMPLE_IDS.collaborativePlaylist).playlist.collaborative).toBe(
        true,
      );
    });

    it("counts playlists, entries by kind and distinct objects in catalogueStats", () => {
      const stats = catalogueStats(sample);

      expect(stats.playlists).toBe(24);
      expect(stats.entries).toBe(entries.length);
      expect(Object.values(stats.entriesByKind).reduce((a, b) => a + b, 0)).toBe(entries.length);
      expect(stats.entriesByKind.track).toBe(tracks.filter((t) => !t.is_local).length);
      // One track of the quirks playlist is unresolved (`id: null`): it has no identity to count.
      expect(tracks.filter((t) => !t.is_local && t.id === null)).toHaveLength(1);
      expect(stats.distinctTracks).toBe(
        new Set(tracks.filter((t) => !t.is_local && t.id !== null).map((t) => t.id)).size,
      );
      expect(stats.distinctTracks).toBeLessThan(stats.entriesByKind.track);
      expect(stats.distinctAlbums).toBe(new Set(albums.filter((a) => a.id).map((a) => a.id)).size);
      expect(stats.entriesByPlaylist[SAMPLE_IDS.multiPagePlaylist]).toBe(230);
    });
  });
});
