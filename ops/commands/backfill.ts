// The backfill verb: the engine (ops/backfill) with the local or the AWS runner, a progress
// bar while it runs and the table of outcomes at the end.

import { Command } from "commander";
import { unavailablePlaylistsPolicy } from "../../functions/commons/config";
import { spotifyTargetOrExit } from "../../local/spotify-target";
import { awsBackfillRunner } from "../backfill/aws-runner";
import { backfill, type BackfillRunner } from "../backfill/engine";
import { localBackfillRunner } from "../backfill/local-runner";
import { OpsError } from "../errors";
import { backfillProgressPrinter, outcomesTable } from "../print";
import {
  type Act,
  type Flags,
  dataDirOf,
  log,
  modeOf,
  playlistsOf,
  positiveInteger,
  stageOf,
  withSpotifyTarget,
  withStack,
} from "../command-options";

export function addBackfillCommand(program: Command, act: Act): void {
  const backfillCommand = withSpotifyTarget(
    withStack(
      program
        .command("backfill")
        .description("one run per hour from --from to --to, skipping hours that already succeeded"),
      ["stateMachineArn"],
    ),
  )
    .requiredOption("--from <hour>", "first snapshot hour (ISO, e.g. 2026-11-22T00:00:00Z)")
    .requiredOption("--to <hour>", "last snapshot hour, included")
    .option("--concurrency <n>", "runs at a time (default: 1 local, 4 on AWS)")
    .option("--mode <mode>", "full or reprocess")
    .option("--playlists <ids>", "comma-separated playlist ids");
  backfillCommand.action(
    act(async (flags: Flags) => {
      const mode = modeOf(flags.mode);
      const playlists = playlistsOf(flags.playlists);
      const target = stageOf(flags);
      const concurrency = positiveInteger(flags.concurrency ?? (target ? 4 : 1), "--concurrency");
      let runner: BackfillRunner;
      let close = async () => {};
      if (target) {
        runner = awsBackfillRunner({
          sfn: target.sfn(),
          region: target.stack.region,
          stateMachineArn: target.stack.output("stateMachineArn"),
          mode,
          ...(playlists ? { playlists } : {}),
        });
        log(`Backfill on ${target.stack.stackName}, ${concurrency} at a time`);
      } else {
        const spotify = await spotifyTargetOrExit(flags as never);
        if (typeof spotify === "number") return spotify;
        close = () => spotify.close();
        if (!spotify.defaultPlaylists && !playlists) {
          await close();
          throw new OpsError("a backfill over --replay needs --playlists (the recording's ids)");
        }
        const dataDir = dataDirOf(flags);
        runner = localBackfillRunner({
          dataDir,
          mode,
          ...(playlists ? { playlists } : {}),
          spotify: spotify.spotify,
          defaultPlaylists: spotify.defaultPlaylists ?? playlists!,
          ...(flags.unavailablePlaylists
            ? {
                unavailablePlaylists: unavailablePlaylistsPolicy(
                  String(flags.unavailablePlaylists),
                  "--unavailable-playlists",
                ),
              }
            : {}),
          ...(spotify.credentialsStore ? { credentialsStore: spotify.credentialsStore } : {}),
          // The sample evolves with the hour: each hour is taken from the emulator as it
          // stands then, as `npm start --snapshot <hour>` would (a replay or live Spotify
          // answers the same whatever the hour).
          ...(!flags.replay && !flags.live
            ? {
                spotifyAt: async (hour: string) => {
                  const atHour = await spotifyTargetOrExit(flags as never, hour);
                  if (typeof atHour === "number") {
                    throw new OpsError(`the local Spotify emulator would not start for ${hour}`);
                  }
                  return atHour;
                },
              }
            : {}),
        });
        log(`${spotify.label}\nBackfill into ${dataDir}, ${concurrency} at a time`);
      }
      const tty = process.stdout.isTTY;
      try {
        const outcomes = await backfill({
          from: String(flags.from),
          to: String(flags.to),
          concurrency,
          runner,
          onProgress: backfillProgressPrinter(
            log,
            tty ? (line) => process.stdout.write(`\r${line}`) : undefined,
          ),
        });
        if (tty) process.stdout.write("\n");
        log("");
        log(outcomesTable(outcomes));
        return outcomes.some((o) => o.status === "FAILED") ? 1 : 0;
      } finally {
        await close();
      }
    }),
  );
}
