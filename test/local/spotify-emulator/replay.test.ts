// Replay of a recorded folder (local/spotify-emulator/replay.ts): recorded bodies served byte
// for byte (with their api.spotify.com `next` links), recorded errors as recorded, a 404 naming
// an unrecorded request, the bearer check kept, and an index that points outside its folder
// (by its path or through a symbolic link), while names that merely start with ".." are legal.

import { join } from "node:path";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { startSpotifyEmulator } from "../../../local/spotify-emulator/server";
import type { SpotifyTrack } from "../../../local/spotify-emulator/types";
import { accessToken, allEntries, get, start } from "../../support/emulator-http";

const FIXTURE_DIR = join(__dirname, "..", "..", "fixtures", "recorded-spotify");
const RECORDED = {
  twoPages: "SuMY5gF5hFjuq3fQyisl8X",
  quirks: "fhzlRc6GMXDJnossdb9Ojc",
  tiny: "jMtDEpesd2DOlSEl6dIfP0",
  editorial: "37i9dQZEVXbMDoHDwVN2tF",
};

describe("Spotify emulator", () => {
  describe("replay of a recorded folder", () => {
    it("serves recorded pages whose next links point at api.spotify.com, in order and complete", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const first = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.twoPages}/items?offset=0&limit=50&additional_types=track,episode`,
      );
      const { entries, pages } = await allEntries(
        emulator,
        token,
        `/v1/playlists/${RECORDED.twoPages}/items?offset=0&limit=50&additional_types=track,episode`,
      );

      expect(first.body.next).toBe(
        `https://api.spotify.com/v1/playlists/${RECORDED.twoPages}/items?offset=50&limit=50&additional_types=track,episode`,
      );
      expect(pages).toHaveLength(2);
      expect(entries).toHaveLength(52);
    });

    it("replays the recorded quirks: a null item, an episode and a local file", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const { body } = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.quirks}/items?limit=50&offset=0&additional_types=track,episode`,
      );

      const items = body.items as {
        item: { type: string; id: string | null } | null;
        is_local: boolean;
      }[];
      expect(items.some((e) => e.item === null)).toBe(true);
      expect(items.some((e) => e.item?.type === "episode")).toBe(true);
      expect(items.some((e) => e.is_local && e.item?.id === null)).toBe(true);
    });

    it("has a recorded answer for every artist credited in the recorded playlists", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);
      const artistIds = new Set<string>();
      for (const id of Object.values(RECORDED).slice(0, 3)) {
        const { entries } = await allEntries(
          emulator,
          token,
          `/v1/playlists/${id}/items?offset=0&limit=50&additional_types=track,episode`,
        );
        for (const e of entries as { item: SpotifyTrack | null }[]) {
          if (e.item?.type !== "track") continue;
          for (const a of [...e.item.artists, ...e.item.album.artists])
            if (a.id) artistIds.add(a.id);
        }
      }

      const answers = await Promise.all(
        [...artistIds].map((id) => get(emulator, token, `/v1/artists/${id}`)),
      );

      expect(artistIds.size).toBeGreaterThan(5);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(answers.every((a) => !("followers" in a.body) && !("popularity" in a.body))).toBe(
        true,
      );
    });

    it("answers recorded errors as recorded and unrecorded requests with a 404 naming them", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });
      const token = await accessToken(emulator);

      const editorial = await get(emulator, token, `/v1/playlists/${RECORDED.editorial}`);
      const unrecorded = await get(
        emulator,
        token,
        `/v1/playlists/${RECORDED.tiny}/items?offset=0&limit=20`,
      );

      expect(editorial.body).toEqual({ error: { status: 404, message: "Resource not found" } });
      expect(unrecorded.status).toBe(404);
      expect(unrecorded.body.error.message).toContain(
        `GET /v1/playlists/${RECORDED.tiny}/items?offset=0&limit=20`,
      );
    });

    it("still requires a token issued by the emulator", async () => {
      const emulator = await start({ replayDir: FIXTURE_DIR });

      const { status } = await get(emulator, "BQforged", `/v1/playlists/${RECORDED.tiny}`);

      expect(status).toBe(401);
    });

    it("refuses to start from an index that points outside its folder", async () => {
      const dir = await mkdtemp(join(tmpdir(), "replay-"));
      await writeFile(
        join(dir, "index.json"),
        JSON.stringify([
          { method: "GET", path: "/v1/artists/x", query: "", status: 200, file: "../secret.json" },
        ]),
      );

      await expect(startSpotifyEmulator({ replayDir: dir })).rejects.toThrow(
        /entry 0: "file" \.\.\/secret\.json points outside/,
      );
    });

    it("refuses a body file that is a symbolic link leading outside the folder", async () => {
      const dir = await mkdtemp(join(tmpdir(), "replay-"));
      const secret = join(await mkdtemp(join(tmpdir(), "secret-")), "secret.json");
      await writeFile(secret, '{"secret": true}');
      await symlink(secret, join(dir, "artist.json"));
      await mkdir(join(dir, "linked"));
      await symlink(join(secret, ".."), join(dir, "linked", "out"));
      for (const file of ["artist.json", "linked/out/secret.json"]) {
        await writeFile(
          join(dir, "index.json"),
          JSON.stringify([{ method: "GET", path: "/v1/artists/x", status: 200, file }]),
        );
        await expect(startSpotifyEmulator({ replayDir: dir })).rejects.toThrow(
          /entry 0: "file" .* points outside the recording folder/,
        );
      }
    });

    it("accepts body files whose names start with two dots", async () => {
      const dir = await mkdtemp(join(tmpdir(), "replay-"));
      await writeFile(join(dir, "..artist.json"), '{"id": "x"}');
      await writeFile(
        join(dir, "index.json"),
        JSON.stringify([
          { method: "GET", path: "/v1/artists/x", status: 200, file: "..artist.json" },
        ]),
      );
      const emulator = await start({ replayDir: dir });
      const token = await accessToken(emulator);

      const { status, body } = await get(emulator, token, "/v1/artists/x");

      expect(status).toBe(200);
      expect(body).toEqual({ id: "x" });
    });
  });
});
