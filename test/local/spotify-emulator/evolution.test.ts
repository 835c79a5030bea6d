// Specification of the living sample (local/spotify-emulator/evolution.ts): the catalogue at
// a snapshot hour is a function of seed, hour and change rate alone; about a tenth of the
// playlists change each hour by default, with entries added, removed and moved, new songs and
// artists; snapshot_id changes exactly for them; followers drift; the emulator still refuses
// what Spotify refuses.

import { describe, expect, it } from "vitest";
import { catalogueAt, EVOLUTION_EPOCH } from "../../../local/spotify-emulator/evolution";
import {
  generateSampleCatalogue,
  SAMPLE_FOREIGN_PLAYLIST_IDS,
  SAMPLE_IDS,
} from "../../../local/spotify-emulator/sample-data";
import { startSpotifyEmulator } from "../../../local/spotify-emulator/server";
import type { SpotifyCatalogue } from "../../../local/spotify-emulator/types";

const base = generateSampleCatalogue({ scale: 3 });
const hourAfterEpoch = (h: number) =>
  new Date(Date.parse(EVOLUTION_EPOCH) + h * 3_600_000).toISOString();
const START = 500;

const trackIds = (c: SpotifyCatalogue, i: number) =>
  c.playlists[i]!.entries.map((e) => e.item?.uri ?? "null");
/** What a listener sees of an entry list: which item, when added, in which order. */
const contents = (c: SpotifyCatalogue, i: number) =>
  c.playlists[i]!.entries.map((e) => `${e.item?.uri}@${e.added_at}`).join("\n");

describe("Module: evolution (the sample as it stands at a snapshot hour)", () => {
  const hours = Array.from({ length: 25 }, (_, k) =>
    catalogueAt(base, { hour: hourAfterEpoch(START + k) }),
  );

  it("gives the same catalogue for the same hour, whichever hours were built before", () => {
    const again = catalogueAt(generateSampleCatalogue({ scale: 3 }), {
      hour: hourAfterEpoch(START + 3),
    });
    expect(again).toEqual(hours[3]);
    expect(catalogueAt(base, { hour: EVOLUTION_EPOCH })).toBe(base);
    expect(catalogueAt(base, { hour: "2026-10-15T00:00:00Z" })).toBe(base);
  });

  it("changes about a tenth of the playlists an hour, and snapshot_id exactly for those", () => {
    let changed = 0;
    for (let k = 1; k < hours.length; k++) {
      hours[k]!.playlists.forEach((p, i) => {
        const before = hours[k - 1]!.playlists[i]!;
        const entriesDiffer = contents(hours[k]!, i) !== contents(hours[k - 1]!, i);
        expect(p.playlist.snapshot_id !== before.playlist.snapshot_id).toBe(entriesDiffer);
        if (entriesDiffer) changed++;
      });
    }
    const share = changed / ((hours.length - 1) * base.playlists.length);
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
  });

  it("adds, removes and moves entries, with songs and artists new to the catalogue", () => {
    const first = hours[0]!;
    const last = hours.at(-1)!;
    const baseTracks = new Set(base.playlists.flatMap((p) => p.entries.map((e) => e.item?.id)));
    const newTracks = last.playlists
      .flatMap((p) => p.entries.map((e) => e.item))
      .filter((item) => item?.type === "track" && !baseTracks.has(item.id));
    expect(newTracks.length).toBeGreaterThan(0);
    const baseArtists = new Set(base.artists.map((a) => a.id));
    const served = new Set(last.artists.map((a) => a.id));
    const credited = last.playlists.flatMap((p) =>
      p.entries.flatMap((e) => (e.item?.type === "track" ? e.item.artists.map((a) => a.id) : [])),
    );
    expect(credited.some((id) => id !== null && !baseArtists.has(id))).toBe(true);
    // Every credited artist can be looked up.
    for (const id of credited) if (id !== null) expect(served.has(id)).toBe(true);
    // Some playlist kept its songs but in another order (a move), others gained or lost some.
    let moved = 0;
    let resized = 0;
    first.playlists.forEach((_, i) => {
      const a = trackIds(first, i);
      const b = trackIds(last, i);
      if (a.length !== b.length) resized++;
      else if (a.join() !== b.join() && [...a].sort().join() === [...b].sort().join()) moved++;
    });
    expect(resized).toBeGreaterThan(0);
    expect(moved + resized).toBeGreaterThan(0);
  });

  it("lets followers drift every hour, and keeps empty and one-song playlists as they are", () => {
    const drifted = hours[1]!.playlists.filter(
      (p, i) => p.playlist.followers.total !== hours[0]!.playlists[i]!.playlist.followers.total,
    );
    expect(drifted.length).toBeGreaterThan(base.playlists.length / 2);
    for (const role of ["emptyPlaylist", "singleEntryPlaylist"] as const) {
      const at = (c: SpotifyCatalogue) =>
        c.playlists.find((p) => p.playlist.id === SAMPLE_IDS[role])!;
      expect(at(hours.at(-1)!).entries).toEqual(at(base).entries);
    }
  });

  it("changes at the rate asked for: none at 0, about half at 0.5", () => {
    const still = catalogueAt(base, { hour: hourAfterEpoch(START), changeRate: 0 });
    expect(still.playlists.map((p) => p.playlist.snapshot_id)).toEqual(
      base.playlists.map((p) => p.playlist.snapshot_id),
    );
    const a = catalogueAt(base, { hour: hourAfterEpoch(100), changeRate: 0.5 });
    const b = catalogueAt(base, { hour: hourAfterEpoch(101), changeRate: 0.5 });
    const changed = a.playlists.filter(
      (p, i) => p.playlist.snapshot_id !== b.playlists[i]!.playlist.snapshot_id,
    );
    expect(changed.length / base.playlists.length).toBeGreaterThan(0.35);
    expect(changed.length / base.playlists.length).toBeLessThan(0.65);
    expect(() => catalogueAt(base, { hour: hourAfterEpoch(1), changeRate: 2 })).toThrow(
      "change rate must be 0 to 1",
    );
  });

  it("is served by the emulator for its hour, which still refuses what Spotify refuses", async () => {
    const hour = hourAfterEpoch(START + 1);
    const emulator = await startSpotifyEmulator({ evolution: { hour } });
    try {
      const expected = catalogueAt(generateSampleCatalogue(), { hour });
      const token = await userToken(emulator);
      const get = (path: string) =>
        fetch(`${emulator.apiBaseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const id = expected.playlists[12]!.playlist.id;
      const served = (await (await get(`/playlists/${id}`)).json()) as { snapshot_id: string };
      expect(served.snapshot_id).toBe(expected.playlists[12]!.playlist.snapshot_id);
      expect((await get(`/playlists/${SAMPLE_FOREIGN_PLAYLIST_IDS[0]}/items`)).status).toBe(403);
      expect((await get(`/artists?ids=${expected.artists[0]!.id}`)).status).toBe(403);
    } finally {
      await emulator.close();
    }
  });
});

async function userToken(emulator: Awaited<ReturnType<typeof startSpotifyEmulator>>) {
  const { clientId, clientSecret, refreshToken } = emulator.credentials;
  const response = await fetch(`${emulator.accountsBaseUrl}/api/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: `grant_type=refresh_token&refresh_token=${refreshToken}`,
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
