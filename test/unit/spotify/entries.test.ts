// How one entry of a playlist-items page is read (functions/core/spotify/entries.ts): where
// its track sits in either API shape, what kind of entry it is, and which artist ids a page
// credits, as extraction lists them for the artists step.

import { describe, expect, it } from "vitest";
import { artistIdsOfPage, entryKindOf, entryTrack } from "../../../functions/core/spotify/entries";
import { PLAYLIST_ID } from "../../support/loopback-spotify";
import {
  itemsPage,
  localFileEntry,
  playlistEntry,
  removedEntry,
  sid,
  simplifiedArtist,
  track,
} from "../../support/spotify-payloads";

describe("Module: entries", () => {
  it("finds the track under `item` (2026 shape) and under `track` (older shape)", () => {
    // Prepare
    const modern = playlistEntry(track(1), { shape: "item" });
    const older = playlistEntry(track(2), { shape: "track" });

    // Act / Assess
    expect(entryTrack(modern)?.id).toBe(sid("tr", 1));
    expect(entryTrack(older)?.id).toBe(sid("tr", 2));
    expect(entryKindOf(modern)).toBe("track");
    expect(entryKindOf(older)).toBe("track");
  });

  it("classifies removed content, podcast episodes and local files", () => {
    // Prepare
    const removed = removedEntry();
    const episode = { added_at: null, item: { type: "episode", id: sid("ep", 1), name: "Ep. 1" } };
    const local = localFileEntry({
      name: "demo.mp3",
      addedAt: "2014-05-01T10:00:00Z",
      shape: "track",
    });

    // Act / Assess
    expect(entryKindOf(null)).toBe("null_entry");
    expect(entryKindOf(removed)).toBe("null_entry");
    expect(entryKindOf(episode)).toBe("episode");
    expect(entryKindOf(local)).toBe("local_file");
    expect(entryTrack(removed)).toBeNull();
  });

  it("treats `item: null` as removed even beside an old `track` copy, and calls non-objects malformed", () => {
    const migrated = { item: null, track: { type: "track", id: sid("tr", 9), artists: [] } };
    expect(entryKindOf(migrated)).toBe("null_entry");
    expect(entryTrack(migrated)).toBeNull();
    expect(entryKindOf("spotify:track:x")).toBe("malformed");
    expect(entryKindOf({ item: 42 })).toBe("malformed");
  });

  it("lists a page's distinct, valid track artist ids, sorted, skipping everything that is not a track", () => {
    // Prepare
    const page = itemsPage({ playlistId: PLAYLIST_ID, offset: 0, total: 10 });
    page.items.push(
      { item: { type: "episode", artists: [simplifiedArtist(sid("ar", 900))] } } as never,
      localFileEntry({ name: "demo.mp3", addedAt: "2014-05-01T10:00:00Z" }) as never,
      null as never,
    );

    // Act
    const ids = artistIdsOfPage(page);

    // Assess
    const expected = [...new Set(page.items.slice(0, 10).flatMap((_, n) => [n % 7, (n % 7) + 100]))]
      .map((n) => sid("ar", n))
      .sort();
    expect(ids).toEqual(expected);
    expect(ids).not.toContain(sid("ar", 900));
    expect(artistIdsOfPage({ error: "not a page" })).toEqual([]);
  });
});
