// One playlist entry -> a song row, a skip or a quarantine reason
// (functions/core/transform/entries.ts), on a recorded entry spoilt one field at a time.

import { describe, expect, it } from "vitest";
import { entryOutcomeOf } from "../../../functions/core/transform/entries";
import { ROAD_TRIP, TRACK, fixture } from "../../support/transform-fixture";

/** A recorded entry being spoilt: its track under `item`, any other field free to change. */
type Entry2 = { item: Record<string, unknown> } & Record<string, unknown>;

/** Spoils the album's release date and its precision together. */
const releasedOn = (date: string, precision: string) => (e: Entry2) => {
  Object.assign(e.item.album as Entry2["item"], {
    release_date: date,
    release_date_precision: precision,
  });
};

describe("entryOutcomeOf", () => {
  const base = async () => {
    const page = JSON.parse(await fixture(`items-${ROAD_TRIP}-0000.json`)) as {
      items: { item: Record<string, unknown> }[];
    };
    return structuredClone(page.items[0]!) as { item: Record<string, unknown> } & Record<
      string,
      unknown
    >;
  };

  it.each([
    [
      "an id that is not 22 base-62 characters",
      (e: Entry2) => (e.item.id = "abc"),
      "invalid_song_id",
    ],
    ["no id", (e: Entry2) => (e.item.id = null), "missing_song_id"],
    ["no name", (e: Entry2) => delete e.item.name, "missing_song_name"],
    ["a negative duration", (e: Entry2) => (e.item.duration_ms = -1), "invalid_duration"],
    ["popularity above 100", (e: Entry2) => (e.item.popularity = 101), "invalid_popularity"],
    ["no album", (e: Entry2) => (e.item.album = null), "missing_album"],
    [
      "an album without id",
      (e: Entry2) => ((e.item.album as Entry2["item"]).id = null),
      "invalid_album_id",
    ],
    [
      "a release date that does not match its precision",
      (e: Entry2) => ((e.item.album as Entry2["item"]).release_date = "2006"),
      "invalid_release_date",
    ],
    [
      "a day-precision release date that is not a calendar day (29 February 2023)",
      releasedOn("2023-02-29", "day"),
      "invalid_release_date",
    ],
    [
      "a month-precision release date in month 13",
      releasedOn("2023-13", "month"),
      "invalid_release_date",
    ],
    [
      "an unknown release date precision",
      (e: Entry2) => ((e.item.album as Entry2["item"]).release_date_precision = "week"),
      "invalid_release_date_precision",
    ],
    [
      "an artist without id",
      (e: Entry2) => ((e.item.artists as Entry2["item"][])[0]!.id = null),
      "invalid_artist_id",
    ],
    [
      "a 31 February added_at",
      (e: Entry2) => (e.added_at = "2024-02-31T10:00:00Z"),
      "invalid_added_at",
    ],
    ["an audiobook chapter", (e: Entry2) => (e.item.type = "chapter"), "unsupported_item_type"],
  ])("quarantines a track with %s", async (_what, spoil, reason) => {
    const entry = await base();
    spoil(entry);
    expect(entryOutcomeOf(entry, ROAD_TRIP, 0)).toEqual({ kind: "quarantined", reason });
  });

  it("treats an absent popularity (development-mode apps) as null, not as malformed", async () => {
    const entry = await base();
    delete entry.item.popularity;
    const outcome = entryOutcomeOf(entry, ROAD_TRIP, 3);
    expect(outcome).toMatchObject({ kind: "song", song: { popularity: null, position: 3 } });
  });

  it("prefers `item` over `track` when an entry carries both", async () => {
    const entry = await base();
    entry.track = { ...entry.item, id: "0000000000000000000000" };
    expect(entryOutcomeOf(entry, ROAD_TRIP, 0)).toMatchObject({
      song: { song_id: TRACK.theFuneral },
    });
  });
});
