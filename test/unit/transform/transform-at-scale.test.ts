// The transform at scale: 100 synthetic playlists of 1,000 entries, counted exactly and timed
// (printed, not asserted) with the Parquet size and the heap growth.

import { describe, expect, it } from "vitest";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { storeArtists, storePlaylist } from "../../support/raw-layer";
import {
  SPOTIFY_API,
  artist,
  itemsPage,
  playlistEntry,
  playlistObject,
  sid,
  track,
} from "../../support/spotify-payloads";
import { SNAPSHOT } from "../../support/transform-fixture";

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
