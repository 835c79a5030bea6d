// The command line: `npm start` runs one snapshot through the local pipeline and prints each
// state with its duration, then a summary; `npm run query -- "<SQL>"` queries the local tables.

import "./quiet-logs";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { spotifyAppModeEnv } from "../functions/commons/config";
import { lambdaErrorMessage } from "../functions/commons/errors";
import type { SpotifyClientSettings, SpotifyCredentials } from "../functions/commons/spotify";
import { runSql } from "./adapters/duckdb-query-engine";
import type { LocalRunResult, StateProgress } from "./local-pipeline";
import { localPaths, runPipelineLocally } from "./local-pipeline";
import { formatTable, formatSummary } from "./report";
import { SAMPLE_PLAYLIST_IDS } from "./spotify-emulator/sample-data";
import { spotifyRecorder } from "./spotify-emulator/recorder";
import { startSpotifyEmulator } from "./spotify-emulator/server";

const USAGE = `Usage:
  npm start [-- options]          run one hourly snapshot through the local pipeline
  npm run query -- "<SQL>"        query the local tables (songs_data, albums_data, artists_data, playlists_data)

Options for npm start:
  --snapshot <ISO time>     snapshot hour to take (default: the current hour)
  --playlists <id,id,...>   playlists to snapshot (default: the sample's, or SPOTIFY_PLAYLIST_IDS)
  --mode full|reprocess     reprocess rebuilds the tables from stored raw data, without Spotify
  --replay <folder>         serve recorded Spotify responses (see test/fixtures/recorded-spotify)
  --extended-quota          emulate an extended-quota app (popularity, followers, batch artists)
  --live                    call the real Spotify API (needs SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET)
  --record <folder>         write every Spotify response the run received there, in the replay
                            format (never a token); replay it later with --replay <folder>
  --data-dir <folder>       where the local lake lives (default: .local)
  --verbose                 show the handlers' structured JSON logs

Real Spotify is used when --live is given or SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set
(SPOTIFY_REFRESH_TOKEN enables reading your own playlists' items in development mode;
SPOTIFY_APP_MODE=extended for an extended-quota app).`;

const dataDirOf = (value: string | undefined) =>
  resolve(value ?? process.env.SPOTIFY_LAKE_DATA_DIR ?? ".local");

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      snapshot: { type: "string" },
      playlists: { type: "string" },
      mode: { type: "string" },
      replay: { type: "string" },
      record: { type: "string" },
      live: { type: "boolean", default: false },
      "extended-quota": { type: "boolean", default: false },
      "data-dir": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = dataDirOf(values["data-dir"]);
  const envCredentials = process.env.SPOTIFY_CLIENT_ID && process.env.SPOTIFY_CLIENT_SECRET;
  const live = values.live || Boolean(envCredentials);
  if (values.live && !envCredentials) {
    console.error("--live needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET in the environment.");
    return 2;
  }

  const input: Record<string, unknown> = {};
  if (values.snapshot) input.snapshot = values.snapshot;
  if (values.playlists) input.playlists = values.playlists.split(",").map((s) => s.trim());
  if (values.mode) input.mode = values.mode;

  let spotify: SpotifyClientSettings & { credentials: SpotifyCredentials };
  let defaultPlaylists: readonly string[];
  let stopEmulator = async () => {};
  if (live) {
    spotify = {
      appMode: spotifyAppModeEnv(),
      credentials: {
        clientId: process.env.SPOTIFY_CLIENT_ID!,
        clientSecret: process.env.SPOTIFY_CLIENT_SECRET!,
        ...(process.env.SPOTIFY_REFRESH_TOKEN
          ? { refreshToken: process.env.SPOTIFY_REFRESH_TOKEN }
          : {}),
      },
    };
    defaultPlaylists = (process.env.SPOTIFY_PLAYLIST_IDS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    console.log("Spotify: the real Web API (credentials from the environment)");
  } else {
    if (values.replay && !existsSync(values.replay)) {
      console.error(`--replay: no such folder ${values.replay}`);
      return 2;
    }
    const emulator = await startSpotifyEmulator({
      ...(values.replay ? { replayDir: resolve(values.replay) } : {}),
      mode: values["extended-quota"] ? "extended" : "development",
      // Links as real Spotify writes them, so raw objects do not depend on the local port.
      pagingBaseUrl: "https://api.spotify.com/v1",
    });
    stopEmulator = () => emulator.close();
    spotify = {
      appMode: emulator.mode,
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      credentials: emulator.credentials,
    };
    defaultPlaylists = values.replay ? await replayPlaylistIds(values.replay) : SAMPLE_PLAYLIST_IDS;
    console.log(
      values.replay
        ? `Spotify: local emulator replaying ${values.replay} (${emulator.url})`
        : `Spotify: local emulator with the sample catalogue (${emulator.url})`,
    );
  }
  if (values.record && values.replay) {
    console.error("--record and --replay exclude each other: a replay has nothing new to record.");
    return 2;
  }
  const recorder = values.record ? spotifyRecorder(resolve(values.record)) : undefined;
  if (recorder) {
    spotify = { ...spotify, fetch: recorder.fetch };
    console.log(`Recording every Spotify response into ${values.record}`);
  }
  console.log(`Lake: ${dataDir}\n`);

  let result: LocalRunResult;
  try {
    result = await runPipelineLocally({
      dataDir,
      input,
      spotify,
      defaultPlaylists,
      onStateEvent: printStateEvent(),
    });
  } finally {
    await stopEmulator();
    // Also after a failed run: its errors are worth replaying too.
    await recorder?.save();
  }
  if (recorder) console.log(`\nRecorded ${recorder.size} responses in ${values.record}`);
  console.log("");
  console.log(formatSummary(result));
  if (result.status === "SUCCEEDED") {
    console.log(
      `\nQuery the tables:  npm run query -- "SELECT album_name, COUNT(*) FROM songs_data GROUP BY album_name"`,
    );
  }
  return result.status === "SUCCEEDED" ? 0 : 1;
}

/** The playlists a recording holds: those with a recorded `GET /v1/playlists/{id}`. */
async function replayPlaylistIds(folder: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(folder, "index.json"), "utf8")) as unknown;
  const ids = new Set<string>();
  for (const entry of Array.isArray(index) ? index : []) {
    const match = /^\/v1\/playlists\/([0-9A-Za-z]{22})$/.exec(String(entry?.path ?? ""));
    if (match && entry?.method === "GET" && entry?.status === 200) ids.add(match[1]!);
  }
  return [...ids].sort();
}

/**
 * One line per top-level state with its duration. Map iterations are summed up on the Map's
 * line: playlists extracted, unavailable, and waits for Spotify's rate limit.
 */
function printStateEvent() {
  let extracted = 0;
  let unavailable = 0;
  let rateLimitWaits = 0;
  return (event: StateProgress) => {
    if (event.iteration !== undefined) {
      if (event.phase === "succeeded" && event.state === "PlaylistExtracted") extracted += 1;
      if (event.phase === "entered" && event.state === "RecordUnavailablePlaylist")
        unavailable += 1;
      if (event.phase === "entered" && event.state.startsWith("WaitFor")) rateLimitWaits += 1;
      return;
    }
    if (event.phase === "entered") return;
    const pad = event.state.padEnd(22);
    const ms = `${event.durationMs ?? 0} ms`.padStart(9);
    if (event.phase === "succeeded") {
      const notes = [];
      if (extracted) notes.push(`${extracted} playlists extracted`);
      if (unavailable) notes.push(`${unavailable} unavailable`);
      if (rateLimitWaits) notes.push(`${rateLimitWaits} rate-limit waits`);
      extracted = unavailable = rateLimitWaits = 0;
      console.log(`  ✔ ${pad}${ms}${notes.length ? `  (${notes.join(", ")})` : ""}`);
    } else if (event.phase === "failed") {
      console.log(`  ✘ ${pad}${ms}  ${event.error}: ${lambdaErrorMessage(event.cause)}`);
    } else if (event.phase === "retried") {
      console.log(`  ↻ ${pad}${ms}  ${event.error ?? "error"}, retrying`);
    } else {
      console.log(`  ⤷ ${pad}${ms}  error caught`);
    }
  };
}

async function query(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { "data-dir": { type: "string" } },
    allowPositionals: true,
  });
  const sql = positionals.join(" ").trim();
  if (!sql) {
    console.error(USAGE);
    return 2;
  }
  const { catalog } = localPaths(dataDirOf(values["data-dir"]));
  if (!existsSync(catalog)) {
    console.error(`No local catalog at ${catalog}: run \`npm start\` first.`);
    return 1;
  }
  try {
    const { columns, rows } = await runSql(catalog, sql);
    console.log(formatTable(columns, rows));
    return 0;
  } catch (error) {
    console.error(`Query failed: ${(error as Error).message}`);
    return 1;
  }
}

const [command, ...rest] = process.argv.slice(2);
const main = command === "query" ? query : command === "run" ? run : undefined;
if (!main) {
  console.error(USAGE);
  process.exit(2);
}
main(rest).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
