// Values from outside (Spotify payloads, manifests, the emulator's catalogue, a replay index,
// the execution input) must never reach an inherited property of a plain object: a lookup
// keyed by such a value finds nothing, and a record keyed by one keeps it as its own key.
// Every name of Object.prototype (and "__proto__") is fed into every field where a value
// becomes a key; each time the entry is processed or set aside with a reason, never a
// TypeError, and the report's counts still add up.

import fc from "fast-check";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError, RawDataError } from "../../functions/commons/errors";
import { rawKeys } from "../../functions/commons/keys";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import { readPlaylistBatch } from "../../functions/core/extract/playlist-batch";
import { prepareRun } from "../../functions/core/prepare-run";
import { readPlaylistManifest } from "../../functions/core/raw-manifests";
import { entryOutcomeOf } from "../../functions/core/transform/entries";
import { QuarantineFile } from "../../functions/core/transform/quarantine";
import { transformSnapshot } from "../../functions/core/transform/transform-snapshot";
import { catalogueRoutes } from "../../local/spotify-emulator/catalogue-routes";
import { loadRecording, replayRoutes } from "../../local/spotify-emulator/replay";
import {
  catalogueStats,
  generateSampleCatalogue,
  SAMPLE_IDS,
  sampleUser,
} from "../../local/spotify-emulator/sample-data";
import { MemoryObjectStore } from "../support/memory-object-store";
import { storeArtists, storePlaylist } from "../support/raw-layer";
import {
  artist,
  itemsPage,
  playlistEntry,
  playlistObject,
  sid,
  track,
} from "../support/spotify-payloads";

/** Every property a plain object inherits, and the accessor that would replace its prototype. */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "__proto__"].filter(
  (name, i, all) => all.indexOf(name) === i,
);
const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";

type Json = Record<string, unknown>;
/** Where a name goes in one playlist entry (its track under `item`). */
const ENTRY_FIELDS: [string, (entry: Json, name: string) => void][] = [
  ["item.id", (e, n) => ((e.item as Json).id = n)],
  ["item.name", (e, n) => ((e.item as Json).name = n)],
  ["item.type", (e, n) => ((e.item as Json).type = n)],
  ["item.album.id", (e, n) => (((e.item as Json).album as Json).id = n)],
  ["item.album.name", (e, n) => (((e.item as Json).album as Json).name = n)],
  ["item.album.album_type", (e, n) => (((e.item as Json).album as Json).album_type = n)],
  [
    "item.album.release_date_precision",
    (e, n) => (((e.item as Json).album as Json).release_date_precision = n),
  ],
  ["item.album.release_date", (e, n) => (((e.item as Json).album as Json).release_date = n)],
  ["item.artists[0].id", (e, n) => ((((e.item as Json).artists as Json[])[0] as Json).id = n)],
  ["item.artists[0].name", (e, n) => ((((e.item as Json).artists as Json[])[0] as Json).name = n)],
  ["item.external_ids.isrc", (e, n) => (((e.item as Json).external_ids as Json).isrc = n)],
  ["added_at", (e, n) => (e.added_at = n)],
  ["added_by.id", (e, n) => ((e.added_by as Json).id = n)],
];

/** A fresh entry as a page carries it, parsed from JSON as the transform parses raw bodies. */
const entry = (n: number): Json => JSON.parse(JSON.stringify(playlistEntry(track(n)))) as Json;

/** `value` with an own key `name` holding `child`, as JSON.parse gives it (even "__proto__"). */
const withOwnKey = (value: Json, name: string, child: unknown): Json => {
  const rest = JSON.stringify(value).slice(1, -1);
  const own = `${JSON.stringify(name)}:${JSON.stringify(child)}`;
  return JSON.parse(`{${own}${rest ? `,${rest}` : ""}}`) as Json;
};

describe("Object.prototype names in data", () => {
  it("lists the names the tests feed in", () => {
    expect(PROTOTYPE_NAMES).toEqual(
      expect.arrayContaining(["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]),
    );
  });

  describe("a playlist entry", () => {
    it.each(ENTRY_FIELDS)("with a prototype name in %s is a song or set aside", (_field, put) => {
      for (const name of PROTOTYPE_NAMES) {
        const spoilt = entry(1);
        put(spoilt, name);
        const outcome = entryOutcomeOf(spoilt, PLAYLIST, 0);
        expect(["song", "quarantined"]).toContain(outcome.kind);
      }
    });

    it("with prototype names as extra keys anywhere in it is still read", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...PROTOTYPE_NAMES),
          fc.constantFrom("", "item", "item.album", "added_by"),
          fc.oneof(
            fc.constant(null),
            fc.integer(),
            fc.string(),
            fc.constantFrom(...PROTOTYPE_NAMES),
          ),
          (name, where, child) => {
            const base = entry(2);
            const path = where === "" ? [] : where.split(".");
            let parent: Json = base;
            let holder: Json = base;
            let last = "";
            for (const step of path) {
              holder = parent;
              last = step;
              parent = parent[step] as Json;
            }
            const changed = withOwnKey(parent, name, child);
            const spoilt = path.length === 0 ? changed : base;
            if (path.length > 0) holder[last] = changed;
            const outcome = entryOutcomeOf(spoilt, PLAYLIST, 0);
            expect(outcome.kind).toBe("song");
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it("every field of a whole snapshot: transformed, each entry a row or set aside, counts adding up", async () => {
    const raw = new MemoryObjectStore();
    const lake = new MemoryObjectStore();
    const entries: Json[] = [];
    let n = 10;
    for (const [, put] of ENTRY_FIELDS) {
      for (const name of PROTOTYPE_NAMES) {
        const spoilt = entry(n++);
        put(spoilt, name);
        entries.push(spoilt);
      }
    }
    const body = (json: unknown) => JSON.stringify(json);
    const playlist = playlistObject(PLAYLIST, { name: "constructor", total: entries.length });
    const playlistBody = body(withOwnKey(playlist as Json, "__proto__", { polluted: true }));
    await storePlaylist(raw, SNAPSHOT, PLAYLIST, playlistBody, [
      {
        body: body(
          itemsPage({
            playlistId: PLAYLIST,
            items: entries,
            offset: 0,
            total: entries.length,
            limit: entries.length,
          }),
        ),
        url: "https://api.spotify.com/v1/playlists/x/items",
      },
    ]);
    const artistBodies = PROTOTYPE_NAMES.map((name, i) =>
      withOwnKey({ ...artist(sid("ar", i)), name, genres: [name] } as Json, name, name),
    );
    await storeArtists(
      raw,
      SNAPSHOT,
      [
        {
          body: body({ artists: artistBodies }),
          url: "https://api.spotify.com/v1/artists",
          status: 200,
        },
      ],
      PROTOTYPE_NAMES.map((_, i) => sid("ar", i)),
      [],
    );

    const report = await transformSnapshot({
      rawStore: raw,
      lakeStore: lake,
      snapshot: SNAPSHOT,
      playlistIds: [PLAYLIST],
    });

    expect(report.entries.read).toBe(entries.length);
    expect(report.entries.rows).toBeGreaterThan(0);
    expect(
      report.entries.rows + Object.values(report.entries.quarantined).reduce((a, b) => a + b, 0),
    ).toBe(entries.length);
    expect(report.rows.playlists_data).toBe(1);
    expect(report.artists.read).toBe(PROTOTYPE_NAMES.length);
    expect(Object.getPrototypeOf(report.entries.quarantined)).toBe(Object.prototype);
  });

  it("a quarantine reason named like a prototype property is counted as its own key", () => {
    for (const name of PROTOTYPE_NAMES) {
      const source = new QuarantineFile().source("playlist_item");
      source.add(name, PLAYLIST, 0, {});
      const reasons = source.reasons();
      expect(Object.hasOwn(reasons, name)).toBe(true);
      expect(Object.getOwnPropertyDescriptor(reasons, name)?.value).toBe(1);
      expect(JSON.parse(JSON.stringify(reasons))).toEqual(
        JSON.parse(`{${JSON.stringify(name)}:1}`),
      );
    }
  });

  it("ids: the execution input, the Map's batches and the transform refuse them by name", async () => {
    for (const name of PROTOTYPE_NAMES) {
      const execution = { id: "arn:local", startTime: "2026-11-22T05:30:00Z" };
      expect(() => prepareRun({ playlists: [name] }, execution, [PLAYLIST])).toThrow(
        InvalidInputError,
      );
      expect(() => prepareRun({ mode: name }, execution, [PLAYLIST])).toThrow(InvalidInputError);
      expect(() => prepareRun(withOwnKey({}, name, 1), execution, [PLAYLIST])).toThrow(
        InvalidInputError,
      );
      expect(() => readPlaylistBatch([name])).toThrow(InvalidInputError);
      await expect(
        transformSnapshot({
          rawStore: new MemoryObjectStore(),
          lakeStore: new MemoryObjectStore(),
          snapshot: SNAPSHOT,
          playlistIds: [name],
        }),
      ).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it("manifests: a prototype name in any field makes a RawDataError, not a TypeError", async () => {
    for (const name of PROTOTYPE_NAMES) {
      for (const field of [
        "playlistId",
        "snapshot",
        "format",
        "playlist",
        "itemPages",
        "artistIds",
        name,
      ]) {
        const store = new MemoryObjectStore();
        const manifest: Json = {
          format: 1,
          snapshot: SNAPSHOT.iso,
          playlistId: PLAYLIST,
          playlist: { key: rawKeys.playlist(SNAPSHOT, PLAYLIST), url: "u" },
          itemPages: [],
          entryCount: 0,
          artistIds: [],
        };
        const spoilt =
          field === name ? withOwnKey(manifest, name, name) : { ...manifest, [field]: name };
        await store.put(rawKeys.playlistManifest(SNAPSHOT, PLAYLIST), JSON.stringify(spoilt));
        const read = readPlaylistManifest(store, SNAPSHOT, PLAYLIST);
        if (field === name) await expect(read).resolves.toMatchObject({ playlistId: PLAYLIST });
        else await expect(read).rejects.toBeInstanceOf(RawDataError);
      }
    }
  });

  it("the emulator's catalogue: ids in paths answer 400/404, an object type or key named so is served", () => {
    const catalogue = generateSampleCatalogue();
    const first = catalogue.playlists[0]!;
    const spoilt = structuredClone(first);
    const item = spoilt.entries.find((e) => e.item?.type === "track")!.item as unknown as Json;
    for (const name of PROTOTYPE_NAMES) {
      Object.defineProperty(item, name, {
        value: name,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    (item.album as Json).type = "constructor";
    catalogue.playlists[0] = spoilt;
    for (const mode of ["development", "extended"] as const) {
      const routes = catalogueRoutes({
        catalogue,
        mode,
        pageLimitMax: 50,
        pagingBase: "https://api.spotify.com/v1",
        user: sampleUser(),
      });
      for (const name of PROTOTYPE_NAMES) {
        for (const path of [
          `/v1/playlists/${name}`,
          `/v1/playlists/${name}/items`,
          `/v1/artists/${name}`,
          `/v1/${name}`,
        ]) {
          const reply = routes({ method: "GET", path, query: "", params: new URLSearchParams() });
          expect([400, 404]).toContain(reply.status);
        }
        const params = new URLSearchParams({ ids: name });
        expect(
          routes({ method: "GET", path: "/v1/artists", query: `ids=${name}`, params }).status,
        ).toBeGreaterThanOrEqual(400);
      }
      const page = routes({
        method: "GET",
        path: `/v1/playlists/${first.playlist.id}/items`,
        query: "limit=50",
        params: new URLSearchParams({ limit: "50" }),
        token: "user",
      });
      expect(page.status).toBe(200);
      const served = (
        JSON.parse(String(page.body)) as { items: { item: Json | null }[] }
      ).items.find((e) => e.item?.id === item.id)!.item!;
      for (const name of PROTOTYPE_NAMES) expect(Object.hasOwn(served, name)).toBe(true);
    }
    const stats = catalogueStats({
      ...catalogue,
      playlists: [{ ...first, playlist: { ...first.playlist, id: "__proto__" } }],
    });
    expect(Object.hasOwn(stats.entriesByPlaylist, "__proto__")).toBe(true);
    expect(SAMPLE_IDS).toBeDefined();
  });

  it("the replay index: prototype names as methods, paths, queries and header names are served or refused by name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "replay-proto-"));
    await writeFile(join(dir, "body.json"), "{}");
    const index = PROTOTYPE_NAMES.map((name, i) => ({
      method: "GET",
      path: `/v1/${name}`,
      query: `${name}=${i}`,
      status: 200,
      file: "body.json",
      headers: JSON.parse(`{${JSON.stringify(name)}: "v"}`) as Json,
    }));
    await writeFile(join(dir, "index.json"), JSON.stringify(index));
    const recording = await loadRecording(dir);
    expect(recording.size).toBe(PROTOTYPE_NAMES.length);
    const routes = replayRoutes(recording);
    for (const [i, name] of PROTOTYPE_NAMES.entries()) {
      const hit = routes({
        method: "GET",
        path: `/v1/${name}`,
        query: `${name}=${i}`,
        params: new URLSearchParams(),
      });
      expect(hit.status).toBe(200);
      expect(Object.hasOwn(hit.headers ?? {}, name.toLowerCase())).toBe(true);
      const miss = routes({
        method: name,
        path: `/v1/playlists/${name}`,
        query: name,
        params: new URLSearchParams(),
      });
      expect(miss.status).toBe(404);
    }
    for (const name of PROTOTYPE_NAMES) {
      await writeFile(
        join(dir, "index.json"),
        JSON.stringify([{ method: name, path: name, status: 200, file: "body.json" }]),
      );
      await expect(loadRecording(dir)).rejects.toThrow(/entry 0/);
    }
  });
});
