// The run's playlist list as the Distributed Map's items object (core/playlist-items.ts):
// stored by PrepareRun under the run's hour by content, read back by the steps after the
// Map; large lists come from a source object, up to 10,000 playlists.

import { describe, expect, it } from "vitest";
import { rawKeys } from "../../functions/commons/keys";
import { snapshotHourFromIso } from "../../functions/commons/snapshot";
import {
  readPlaylistItems,
  readPlaylistItemsRef,
  storePlaylistItems,
} from "../../functions/core/playlist-items";
import { MAX_PLAYLISTS_PER_RUN, prepareRun, startRun } from "../../functions/core/prepare-run";
import { createPrepareRunHandler } from "../../functions/prepare-run/handler";
import { lambdaContext } from "../../local/lambda-runtime";
import { MemoryObjectStore } from "../support/memory-object-store";

const HOUR = snapshotHourFromIso("2026-11-22T05:00:00.000Z");
const EXECUTION = { id: "arn:local:exec", startTime: "2026-11-22T05:30:00Z" };
/** `n` distinct 22-character ids. */
const ids = (n: number) => Array.from({ length: n }, (_, i) => `pl${String(i).padStart(20, "0")}`);

describe("The run's playlist items object", () => {
  it("is keyed by its content under the run's hour: the same list, the same key and bytes", async () => {
    const store = new MemoryObjectStore();
    const first = await storePlaylistItems(store, HOUR, ids(3));
    const again = await storePlaylistItems(store, HOUR, ids(3));
    const other = await storePlaylistItems(store, HOUR, ids(4));

    expect(again).toEqual(first);
    expect(first.key).toMatch(
      /^spotify\/runs\/snapshot_date=2026-11-22\/snapshot_hour=05\/playlist-items\/sha256=[0-9a-f]{64}\.json$/,
    );
    expect(other.key).not.toBe(first.key);
    expect(await readPlaylistItems(store, first)).toEqual(ids(3));
    expect(first.key.startsWith(rawKeys.snapshotPrefix(HOUR))).toBe(false);
  });

  it("carries 10,000 playlists while `run` stays a few hundred bytes", async () => {
    const store = new MemoryObjectStore();
    const prepared = prepareRun({ playlists: ids(MAX_PLAYLISTS_PER_RUN) }, EXECUTION, []);
    const run = await startRun(store, prepared);

    expect(MAX_PLAYLISTS_PER_RUN).toBe(10_000);
    expect(run).not.toHaveProperty("playlists");
    expect(run.playlistItems.count).toBe(10_000);
    expect(run).toMatchObject({ extractConcurrency: 4, extractBatchSize: 25 });
    expect(JSON.stringify(run).length).toBeLessThan(600);
    expect(await readPlaylistItems(store, run.playlistItems)).toEqual(ids(10_000));
    expect(() => prepareRun({ playlists: ids(10_001) }, EXECUTION, [])).toThrow(/at most 10000/);
  });

  it("refuses a reference to another hour's or a foreign object, and an object that is not the list", async () => {
    const store = new MemoryObjectStore();
    const ref = await storePlaylistItems(store, HOUR, ids(2));
    const otherHour = snapshotHourFromIso("2026-11-22T06:00:00.000Z");
    expect(() => readPlaylistItemsRef(ref, otherHour)).toThrow(/run.playlistItems/);
    expect(() => readPlaylistItemsRef({ key: "config/x.json", count: 1 }, HOUR)).toThrow(
      /this snapshot's items object/,
    );
    await expect(readPlaylistItems(store, { ...ref, count: 3 })).rejects.toThrow(
      /holds 2 playlists, the run says 3/,
    );
    await store.delete([ref.key]);
    await expect(readPlaylistItems(store, ref)).rejects.toThrow(/does not exist/);
  });

  it("takes the default list from PLAYLISTS_OBJECT_KEY when the input names none", async () => {
    const store = new MemoryObjectStore();
    await store.put("config/playlists.json", JSON.stringify(ids(5)));
    const handler = createPrepareRunHandler({
      rawStore: store,
      defaultPlaylists: [],
      playlistsObjectKey: "config/playlists.json",
      extractSettings: { extractConcurrency: 8, extractBatchSize: 50 },
    });

    const run = await handler({ input: {}, execution: EXECUTION }, lambdaContext("prepare-run"));

    expect(await readPlaylistItems(store, run.playlistItems)).toEqual(ids(5));
    expect(run).toMatchObject({ extractConcurrency: 8, extractBatchSize: 50 });
    // A bad id in the object is refused naming the object; a list outside config/ too.
    await store.put("config/bad.json", JSON.stringify([...ids(2), "../x"]));
    const bad = createPrepareRunHandler({
      rawStore: store,
      defaultPlaylists: [],
      playlistsObjectKey: "config/bad.json",
    });
    await expect(
      bad({ input: {}, execution: EXECUTION }, lambdaContext("prepare-run")),
    ).rejects.toThrow(/PLAYLISTS_OBJECT_KEY config\/bad\.json .*\[2\]/);
    const outside = createPrepareRunHandler({
      rawStore: store,
      defaultPlaylists: [],
      playlistsObjectKey: "spotify/../etc.json",
    });
    await expect(
      outside({ input: {}, execution: EXECUTION }, lambdaContext("prepare-run")),
    ).rejects.toThrow(/PLAYLISTS_OBJECT_KEY/);
  });
});
