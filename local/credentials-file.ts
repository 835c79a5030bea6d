// The local credentials file `npm run authorize` writes and the local runtime reads: the same
// JSON the AWS Spotify secret holds (SpotifyCredentials, parsed by the one parser in
// functions/commons/spotify-credentials.ts), readable by the user alone (0600). It lives
// under ~/.config rather than the data folder, so deleting a lake does not delete the
// authorization (which takes a browser to redo).

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseSpotifyCredentials } from "../functions/commons/spotify-credentials";
import type { SpotifyCredentials } from "../functions/commons/spotify";

/** `--credentials`, else SPOTIFY_LAKE_CREDENTIALS, else $XDG_CONFIG_HOME (~/.config)/spotify-lake/credentials.json. */
export function credentialsPath(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.SPOTIFY_LAKE_CREDENTIALS) return resolve(process.env.SPOTIFY_LAKE_CREDENTIALS);
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "spotify-lake", "credentials.json");
}

/** The stored credentials, or undefined when there is no file; a bad file is a clear error. */
export function readCredentialsFile(path: string): SpotifyCredentials | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    // The parse error could quote the file's contents: name the file, not what is in it.
    throw new Error(`${path} is not valid JSON: run \`npm run authorize\` again`);
  }
  return parseSpotifyCredentials(json, `credentials file ${path}`);
}

/** Writes the file with mode 0600 (created so, never readable by others even for a moment). */
export function writeCredentialsFile(path: string, credentials: SpotifyCredentials): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The umask cannot widen 0600, but an existing file keeps its mode: set it explicitly.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
