// Text the lake cannot hold as given (functions/core/transform/raw-json.ts, json.ts): a raw
// body that is not valid UTF-8 fails the step naming it, instead of turning into U+FFFD in the
// lake; a record whose text holds a lone surrogate (valid JSON, `"\ud800"`, but not Unicode)
// is set aside as invalid_text. Well-formed text, emoji included, passes untouched.

import { describe, expect, it } from "vitest";
import { RawDataError } from "../../../functions/commons/errors";
import { entryOutcomeOf } from "../../../functions/core/transform/entries";
import { parseRawJson } from "../../../functions/core/transform/raw-json";
import { artistRowOf, playlistRowOf } from "../../../functions/core/transform/records";
import { artist, playlistEntry, playlistObject, sid, track } from "../../support/spotify-payloads";

const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";
const parsed = (json: string) => JSON.parse(json) as Record<string, unknown>;

describe("Text from Spotify", () => {
  it("a raw body with invalid UTF-8 is a RawDataError naming the object", () => {
    const bytes = Buffer.concat([
      Buffer.from('{"name": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    expect(() => parseRawJson(bytes, "spotify/x/items-0000.json")).toThrow(RawDataError);
    expect(() => parseRawJson(bytes, "spotify/x/items-0000.json")).toThrow(
      /spotify\/x\/items-0000\.json is not valid UTF-8/,
    );
  });

  it("well-formed text passes, emoji and accents included", () => {
    const entry = parsed(JSON.stringify(playlistEntry(track(1, { name: "Café 😀 \ud83c\udfb5" }))));
    expect(parseRawJson(Buffer.from('{"a": "😀"}'), "x")).toEqual({ a: "😀" });
    expect(entryOutcomeOf(entry, PLAYLIST, 0).kind).toBe("song");
  });

  it.each([
    ["a song name", (t: Record<string, unknown>) => (t.name = "Song \ud800")],
    [
      "an album name",
      (t: Record<string, unknown>) => ((t.album as Record<string, string>).name = "\udc00 Album"),
    ],
    [
      "an artist name",
      (t: Record<string, unknown>) =>
        ((t.artists as Record<string, string>[])[0]!.name = "a\ud83c"),
    ],
  ])("an entry with a lone surrogate in %s is set aside as invalid_text", (_what, spoil) => {
    const entry = parsed(JSON.stringify(playlistEntry(track(2))));
    spoil(entry.item as Record<string, unknown>);
    expect(entryOutcomeOf(entry, PLAYLIST, 0)).toEqual({
      kind: "quarantined",
      reason: "invalid_text",
    });
  });

  it("a playlist or artist with a lone surrogate in its text is set aside as invalid_text", () => {
    const playlist = parsed(JSON.stringify(playlistObject(PLAYLIST, { total: 0 })));
    playlist.description = "late \ud800 night";
    expect(playlistRowOf(playlist, PLAYLIST)).toBe("invalid_text");
    const someone = parsed(JSON.stringify(artist(sid("ar", 1))));
    someone.genres = ["indie", "\udfff"];
    expect(artistRowOf(someone, Date.parse("2026-11-22T05:00:00Z"))).toBe("invalid_text");
  });
});
