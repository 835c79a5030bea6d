// Runs the local pipeline against a fresh Spotify emulator in a temporary lake folder.

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { LocalRunResult } from "../../local/local-pipeline";
import { runPipelineLocally } from "../../local/local-pipeline";
import { SAMPLE_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import type { SpotifyEmulator, SpotifyEmulatorOptions } from "../../local/spotify-emulator/server";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";

export const newDataDir = (): string => mkdtempSync(join(tmpdir(), "spotify-lake-test-"));

export async function runWithEmulator(options: {
  dataDir: string;
  input?: unknown;
  emulator?: SpotifyEmulatorOptions;
  defaultPlaylists?: readonly string[];
  startTime?: Date;
  executionName?: string;
  beforeRun?: (emulator: SpotifyEmulator) => void;
}): Promise<LocalRunResult & { requests: number }> {
  const emulator = await startSpotifyEmulator({
    pagingBaseUrl: "https://api.spotify.com/v1",
    ...options.emulator,
  });
  try {
    options.beforeRun?.(emulator);
    const result = await runPipelineLocally({
      dataDir: options.dataDir,
      input: options.input ?? {},
      spotify: {
        appMode: emulator.mode,
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
        credentials: emulator.credentials,
      },
      defaultPlaylists: options.defaultPlaylists ?? SAMPLE_PLAYLIST_IDS,
      ...(options.startTime ? { startTime: options.startTime } : {}),
      ...(options.executionName ? { executionName: options.executionName } : {}),
    });
    return { ...result, requests: emulator.requestLog.length };
  } finally {
    await emulator.close();
  }
}

/** SHA-256 of every file under a folder, keyed by relative path. */
export async function fingerprintFolder(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  await walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
