// `npm run doctor [-- options]`: the command line of local/doctor.ts, against the same Spotify
// `npm start` would talk to with the same flags (emulator, replay, or --live).

import { parseArgs } from "node:util";
import { SpotifyClient } from "../functions/core/spotify/client";
import { runDoctor } from "./doctor";
import { SAMPLE_PLAYLIST_IDS } from "./spotify-emulator/sample-data";
import { TARGET_OPTIONS, spotifyTargetOrExit } from "./spotify-target";

const USAGE = `Usage: npm run doctor [-- options]

Asks Spotify whose authorization the credentials hold (GET /v1/me) and, for each playlist,
whether this app can read its items, and why not. Exits 1 when one cannot be read.

Options:
  --live                    the real API (credentials as for npm start -- --live)
  --playlists <id,id,...>   playlists to check (default: SPOTIFY_PLAYLIST_IDS with --live,
                            every sample playlist on the emulator)
  --extended-quota          an extended-quota app
  --credentials <file>      the credentials file
  --replay <folder>         a recording`;

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      playlists: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const target = await spotifyTargetOrExit(values);
  if (typeof target === "number") return target;
  try {
    console.log(target.label);
    for (const note of target.notes) console.log(note);
    const playlists = values.playlists
      ? values.playlists.split(",").map((s) => s.trim())
      : values.live
        ? (target.defaultPlaylists ?? [])
        : SAMPLE_PLAYLIST_IDS;
    const report = await runDoctor({
      client: new SpotifyClient(target.spotify),
      credentials: target.spotify.credentials,
      appMode: target.spotify.appMode,
      playlists,
    });
    for (const line of report.lines) console.log(line);
    return report.ok ? 0 : 1;
  } finally {
    await target.close();
  }
}
