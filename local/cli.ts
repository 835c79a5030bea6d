// The command line: `npm start` runs one snapshot through the local pipeline and prints each
// state with its duration, then a summary; `npm run query -- "<SQL>"` queries the local tables.

import "./quiet-logs";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { UnavailablePlaylistsPolicy } from "../functions/commons/config";
import { unavailablePlaylistsPolicy } from "../functions/commons/config";
import { lambdaErrorMessage } from "../functions/commons/errors";
import { runSql } from "./adapters/duckdb-query-engine";
import type { LocalRunResult, StateProgress } from "./local-pipeline";
import { executionInputOf, refuseEmptyOptions, UsageError } from "./cli-input";
import { localPaths, runPipelineLocally } from "./local-pipeline";
import { formatTable, formatSummary } from "./report";
import { authorizeCommand } from "./authorize-command";
import { doctorCommand } from "./doctor-command";
import { exploreCommand } from "./explorer/explore-command";
import { spotifyRecorder } from "./spotify-emulator/recorder";
import { TARGET_OPTIONS, spotifyTargetOrExit } from "./spotify-target";

const USAGE = `Usage:
  npm start [-- options]          run one hourly snapshot through the local pipeline
  npm run query -- "<SQL>"        query the local tables (songs_data, albums_data, artists_data, playlists_data)
  npm run authorize [-- options]  authorize this app with your Spotify account, once (--help)
  npm run doctor [-- options]     check which playlists this app can read, and why not (--help)
  npm run explore [-- --port N]   browse the local lake's history and query it, on 127.0.0.1:8787

Options for npm start:
  --snapshot <ISO time>     snapshot hour to take (default: the current hour)
  --playlists <id,id,...>   playlists to snapshot (default: the sample user's, or SPOTIFY_PLAYLIST_IDS)
  --mode full|reprocess     reprocess rebuilds the tables from stored raw data, without Spotify
  --replay <folder>         serve recorded Spotify responses (see test/fixtures/recorded-spotify)
  --extended-quota          emulate an extended-quota app (popularity, followers, batch artists)
  --live                    call the real Spotify API, and only then (credentials below)
  --credentials <file>      the credentials file (default: SPOTIFY_LAKE_CREDENTIALS, or
                            ~/.config/spotify-lake/credentials.json, written by npm run authorize)
  --record <folder>         write every Spotify response the run received there, in the replay
                            format (never a token); replay it later with --replay <folder>
  --unavailable-playlists fail|warn
                            a playlist Spotify refuses is recorded (playlists_data, available =
                            false); then fail the run (default, or UNAVAILABLE_PLAYLISTS) or warn
  --data-dir <folder>       where the local lake lives (default: .local)
  --verbose                 show the handlers' structured JSON logs

Without --live the emulator (or --replay) answers, whatever the environment holds. With --live
the credentials come from SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN
when SPOTIFY_CLIENT_ID is set, else from the credentials file; SPOTIFY_APP_MODE=extended for an
extended-quota app (which may use client credentials; development mode needs npm run authorize).`;

const dataDirOf = (value: string | undefined) =>
  resolve(value ?? process.env.SPOTIFY_LAKE_DATA_DIR ?? ".local");

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      snapshot: { type: "string" },
      playlists: { type: "string" },
      mode: { type: "string" },
      ...TARGET_OPTIONS,
      record: { type: "string" },
      "unavailable-playlists": { type: "string" },
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
  try {
    refuseEmptyOptions(values);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const dataDir = dataDirOf(values["data-dir"]);
  let input: Record<string, unknown>;
  try {
    input = executionInputOf(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }

  let unavailablePlaylists: UnavailablePlaylistsPolicy;
  try {
    // The flag wins over UNAVAILABLE_PLAYLISTS.
    unavailablePlaylists = values["unavailable-playlists"]
      ? unavailablePlaylistsPolicy(values["unavailable-playlists"], "--unavailable-playlists")
      : unavailablePlaylistsPolicy();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (values.record && values.replay) {
    console.error("--record and --replay exclude each other: a replay has nothing new to record.");
    return 2;
  }
  // The sample evolves with the snapshot hour: the emulator serves the hour this run takes.
  // (An unreadable --snapshot is PrepareRun's to refuse, with its own message.)
  const when = values.snapshot ? new Date(values.snapshot) : new Date();
  const sampleHour = Number.isNaN(when.getTime()) ? undefined : when.toISOString();
  const target = await spotifyTargetOrExit(values, sampleHour);
  if (typeof target === "number") return target;
  let { spotify } = target;
  console.log(target.label);
  for (const note of target.notes) console.log(note);
  const recorder = values.record ? spotifyRecorder(resolve(values.record)) : undefined;
  if (recorder) {
    spotify = { ...spotify, fetch: recorder.fetch };
    console.log(`Recording every Spotify response into ${values.record}`);
  }
  console.log(`Lake: ${dataDir}\n`);

  let result: LocalRunResult;
  try {
    const defaultPlaylists = target.defaultPlaylists ?? (await replayPlaylistIds(values.replay!));
    result = await runPipelineLocally({
      dataDir,
      input,
      spotify,
      defaultPlaylists,
      unavailablePlaylists,
      ...(target.credentialsStore ? { credentialsStore: target.credentialsStore } : {}),
      onStateEvent: printStateEvent(),
    });
  } finally {
    await target.close();
    // Also after a failed run: its errors are worth replaying too.
    await recorder?.save();
  }
  if (recorder) console.log(`\nRecorded ${recorder.size} responses in ${values.record}`);
  console.log("");
  console.log(formatSummary(result, dataDir));
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
 * One line per top-level state with its duration. The Map's child executions are summed up on the Map's
 * line: playlists extracted, unavailable, and waits for Spotify's rate limit.
 */
function printStateEvent() {
  let extracted = 0;
  let unavailable = 0;
  let rateLimitWaits = 0;
  return (event: StateProgress) => {
    if (event.iteration !== undefined) {
      if (event.phase === "succeeded" && event.state === "ExtractPlaylistBatch") {
        // A Distributed Map child's batch: its counts.
        const output = event.output as { available?: number; unavailable?: number } | undefined;
        unavailable += output?.unavailable ?? 0;
        extracted += output?.available ?? 0;
      }
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

/** The local commands by name; the operations CLI (ops/cli.ts) hands its local verbs to them. */
export const LOCAL_COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run,
  query,
  authorize: authorizeCommand,
  doctor: doctorCommand,
  explore: exploreCommand,
};

/** Runs one local command to its exit code, printing an unexpected error. */
export function runLocalCommand(command: string | undefined, argv: string[]): Promise<number> {
  const main = command ? LOCAL_COMMANDS[command] : undefined;
  if (!main) {
    console.error(USAGE);
    return Promise.resolve(2);
  }
  return main(argv).catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    return 1;
  });
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  void runLocalCommand(command, rest).then((code) => process.exit(code));
}
