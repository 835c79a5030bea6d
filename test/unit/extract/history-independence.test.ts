// A run's work does not grow with the number of hours already stored: the extract steps and
// the transform read the playlist's last extraction, the artist index and what the hour's
// manifests list, and never list past hours. Measured as object-store operations of one hour
// after 2 and after 30 stored hours.

import { describe, expect, it } from "vitest";
import { parseSnapshotHour, type SnapshotHour } from "../../../functions/commons/snapshot";
import { extractArtists } from "../../../functions/core/extract/extract-artists";
import { extractPlaylist } from "../../../functions/core/extract/extract-playlist";
import { transformSnapshot } from "../../../functions/core/transform/transform-snapshot";
import { InMemorySpotify, bigPlaylist } from "../../support/in-memory-spotify";
import { MemoryObjectStore } from "../../support/memory-object-store";
import { sid } from "../../support/spotify-payloads";

const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";
const hour = (h: number): SnapshotHour =>
  parseSnapshotHour(new Date(Date.parse("2026-11-20T00:00:00Z") + h * 3_600_000).toISOString());

/** A memory store that records every operation. */
class CountingStore extends MemoryObjectStore {
  ops: string[] = [];
  override async get(key: string) {
    this.ops.push(`get`);
    return super.get(key);
  }
  override async getVersioned(key: string) {
    this.ops.push(`get`);
    return super.getVersioned(key);
  }
  override async list(prefix: string) {
    this.ops.push(`list ${prefix}`);
    return super.list(prefix);
  }
  override async put(key: string, body: Uint8Array | string) {
    this.ops.push(`put`);
    return super.put(key, body);
  }
}

async function runHour(spotify: InMemorySpotify, raw: CountingStore, at: SnapshotHour) {
  const client = spotify.client();
  await extractPlaylist({ spotify: client, rawStore: raw, snapshot: at, playlistId: PLAYLIST });
  await extractArtists({ spotify: client, rawStore: raw, snapshot: at, playlistIds: [PLAYLIST] });
  await transformSnapshot({
    rawStore: raw,
    lakeStore: new MemoryObjectStore(),
    snapshot: at,
    playlistIds: [PLAYLIST],
  });
}

/** The operations of the hour after `pastHours` stored hours (the playlist unchanged). */
async function opsAfter(pastHours: number): Promise<string[]> {
  const spotify = new InMemorySpotify();
  spotify.playlists.set(PLAYLIST, bigPlaylist(120));
  for (let k = 0; k < 10; k++) spotify.artists.add(sid("ar", k));
  const raw = new CountingStore();
  for (let h = 0; h < pastHours; h++) await runHour(spotify, raw, hour(h));
  raw.ops = [];
  await runHour(spotify, raw, hour(pastHours));
  return raw.ops;
}

describe("A run's work and the hours stored before it", () => {
  it("is the same after 2 and after 30 stored hours, and lists only the hour's own folders", async () => {
    const after2 = await opsAfter(2);
    const after30 = await opsAfter(30);

    // The same operations on the same kinds of keys, whichever hour it is.
    const anyHour = (ops: string[]) =>
      ops.map((op) => op.replace(/snapshot_date=[\d-]+\/snapshot_hour=\d\d/g, "<hour>"));
    expect(anyHour(after30)).toEqual(anyHour(after2));
    const listed = after30.filter((op) => op.startsWith("list "));
    expect(listed.length).toBeGreaterThan(0);
    for (const op of listed)
      expect(op).toContain(`snapshot_date=${hour(30).date}/snapshot_hour=${hour(30).hour}/`);
  });
});
