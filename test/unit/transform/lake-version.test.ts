// Specification of a snapshot's lake version (functions/core/transform/lake-version.ts): the
// same bytes always name the same version, and any change of a table's parts, of how they
// are split, or of the quarantine file names another.

import { describe, expect, it } from "vitest";
import type { LakeTable } from "../../../functions/commons/keys";
import { lakeVersion } from "../../../functions/core/transform/lake-version";

const bytes = (text: string) => new TextEncoder().encode(text);
const parts = (songs: Uint8Array[]): Record<LakeTable, Uint8Array[]> => ({
  songs_data: songs,
  albums_data: [bytes("albums")],
  artists_data: [bytes("artists")],
  playlists_data: [bytes("playlists")],
});

describe("lakeVersion", () => {
  it("is 16 hex digits, the same for the same bytes", () => {
    const version = lakeVersion(parts([bytes("songs")]), "rejected\n");
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(lakeVersion(parts([bytes("songs")]), "rejected\n")).toBe(version);
  });

  it("changes with a table's bytes, with how its bytes are split into parts, and with the quarantine file", () => {
    const base = lakeVersion(parts([bytes("songs")]), undefined);
    const others = [
      lakeVersion(parts([bytes("Songs")]), undefined),
      lakeVersion(parts([bytes("so"), bytes("ngs")]), undefined),
      lakeVersion(parts([bytes("songs")]), ""),
      lakeVersion(parts([bytes("songs")]), "rejected\n"),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });
});
