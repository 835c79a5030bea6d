// `--record`: a run against Spotify (here the emulator acting as the live API) writes every
// response it received in the replay format; replaying that folder gives byte-identical raw
// and lake files, and the recording holds no token, secret or auth header.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPipelineLocally } from "../../local/local-pipeline";
import { spotifyRecorder } from "../../local/spotify-emulator/recorder";
import { SAMPLE_IDS } from "../../local/spotify-emulator/sample-data";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import { bucketFingerprints } from "../support/fault-harness";
import { SNAPSHOT, START } from "../support/e2e-snapshot";
import { newDataDir } from "../support/local-run";

const PLAYLISTS = [
  SAMPLE_IDS.multiPagePlaylist,
  SAMPLE_IDS.quirksPlaylist,
  SAMPLE_IDS.twoPagePlaylist,
];

async function runAgainst(
  emulator: Awaited<ReturnType<typeof startSpotifyEmulator>>,
  fetch?: typeof globalThis.fetch,
) {
  const dataDir = newDataDir();
  const result = await runPipelineLocally({
    dataDir,
    input: { snapshot: SNAPSHOT, playlists: PLAYLISTS },
    startTime: START,
    spotify: {
      appMode: emulator.mode,
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      credentials: emulator.credentials,
      ...(fetch ? { fetch } : {}),
    },
    defaultPlaylists: PLAYLISTS,
  });
  return { result, dataDir };
}

describe("Recording a run and replaying it", () => {
  it("replays a recording byte-identically, and the recording holds no secret", async () => {
    // Prepare: the emulator plays the live API; Spotify's links point at itself, as they would.
    const live = await startSpotifyEmulator({ rotateRefreshToken: "single-use" });
    const folder = newDataDir();
    const recorder = spotifyRecorder(folder);
    const issued: string[] = [];
    const watching: typeof fetch = async (input, init) => {
      const response = await recorder.fetch(input, init);
      if (String(input).endsWith("/api/token")) {
        const body = (await response.clone().json()) as Record<string, string>;
        issued.push(body.access_token!, body.refresh_token ?? "");
      }
      return response;
    };
    // One transient failure on the way: the recording keeps the answer the run went on with.
    live.faults.enqueue({ status: 502, path: /\/items$/ });

    // Act
    const recorded = await runAgainst(live, watching).finally(() => live.close());
    await recorder.save();
    const replay = await startSpotifyEmulator({ replayDir: folder });
    const replayed = await runAgainst(replay).finally(() => replay.close());

    // Assess
    expect(recorded.result.status, recorded.result.cause).toBe("SUCCEEDED");
    expect(replayed.result.status, replayed.result.cause).toBe("SUCCEEDED");
    expect(await bucketFingerprints(replayed.dataDir)).toEqual(
      await bucketFingerprints(recorded.dataDir),
    );
    const index = JSON.parse(readFileSync(join(folder, "index.json"), "utf8")) as {
      path: string;
      status: number;
    }[];
    expect(index.length).toBe(recorder.size);
    expect(index.every((e) => e.path.startsWith("/v1/") && e.status === 200)).toBe(true);
    const files = [
      "index.json",
      ...readdirSync(join(folder, "responses")).map((f) => join("responses", f)),
    ];
    const everything = files.map((f) => readFileSync(join(folder, f), "utf8")).join("\n");
    for (const secret of [
      ...issued.filter(Boolean),
      live.credentials.clientSecret,
      live.credentials.refreshToken,
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/authorization|bearer/i);
  });
});
