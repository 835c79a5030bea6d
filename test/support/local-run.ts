// Runs the local pipeline against a fresh Spotify emulator in a temporary lake folder: the
// plain form of runAgainstEmulator (test/support/fault-harness.ts), counting requests only.

import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalRunResult } from "../../local/local-pipeline";
import type { HarnessOptions } from "./fault-harness";
import { runAgainstEmulator } from "./fault-harness";

export { fingerprintFolder } from "./fingerprint";

export const newDataDir = (): string => mkdtempSync(join(tmpdir(), "spotify-lake-test-"));

export async function runWithEmulator(
  options: Pick<
    HarnessOptions,
    | "dataDir"
    | "input"
    | "emulator"
    | "defaultPlaylists"
    | "startTime"
    | "executionName"
    | "beforeRun"
    | "crawl"
  >,
): Promise<LocalRunResult & { requests: number }> {
  const { requests, ...result } = await runAgainstEmulator(options);
  return { ...result, requests: requests.length };
}

/** A loopback port nothing listens on right now (for a redirect URI's callback server). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}
