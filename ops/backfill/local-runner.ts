// The backfill's local runner: an hour is one run of the local pipeline (local/local-pipeline.ts)
// against the emulator, a replay or live Spotify, recorded in the data folder's run records;
// an hour is done when a record says a run of it in the same mode SUCCEEDED.

import type { UnavailablePlaylistsPolicy } from "../../functions/commons/config";
import { lambdaErrorMessage } from "../../functions/commons/errors";
import type { LocalPipelineOptions } from "../../local/local-pipeline";
import { runPipelineLocally } from "../../local/local-pipeline";
import { readRunRecords } from "../../local/run-records";
import type { PipelineOutput } from "../../statemachine/pipeline";
import type { RunMode } from "../aws/executions";
import type { BackfillRunner, HourOutcome } from "./engine";

export interface LocalRunnerOptions {
  dataDir: string;
  mode: RunMode;
  playlists?: string[];
  spotify: LocalPipelineOptions["spotify"];
  defaultPlaylists: readonly string[];
  unavailablePlaylists?: UnavailablePlaylistsPolicy;
  credentialsStore?: LocalPipelineOptions["credentialsStore"];
  /**
   * The Spotify an hour is taken from, when it depends on the hour: the emulator serves its
   * sample as it stands at the snapshot hour (spotify-emulator/evolution.ts), so each hour
   * gets an emulator of its own, closed after the hour. Unset: `spotify` for every hour
   * (a replay, or live Spotify).
   */
  spotifyAt?: (hour: string) => Promise<HourSpotify>;
}

export interface HourSpotify {
  spotify: LocalPipelineOptions["spotify"];
  credentialsStore?: LocalPipelineOptions["credentialsStore"];
  close(): Promise<void>;
}

export function localBackfillRunner(options: LocalRunnerOptions): BackfillRunner {
  return {
    async alreadyDone(hours) {
      const wanted = new Set(hours);
      const done = new Map<string, { execution: string; note: string }>();
      for (const record of await readRunRecords(options.dataDir)) {
        if (record.status !== "SUCCEEDED" || record.mode !== options.mode || !record.snapshot)
          continue;
        const hour = new Date(record.snapshot).toISOString();
        if (wanted.has(hour) && !done.has(hour)) {
          done.set(hour, { execution: record.executionName, note: "already succeeded" });
        }
      }
      return done;
    },

    async runHour(hour): Promise<Omit<HourOutcome, "hour">> {
      const input = {
        snapshot: hour,
        ...(options.mode !== "full" ? { mode: options.mode } : {}),
        ...(options.playlists ? { playlists: options.playlists } : {}),
      };
      const hourSpotify = await options.spotifyAt?.(hour);
      const credentialsStore = hourSpotify
        ? hourSpotify.credentialsStore
        : options.credentialsStore;
      // The local pipeline records the run itself (local/run-records.ts).
      const result = await runPipelineLocally({
        dataDir: options.dataDir,
        input,
        spotify: hourSpotify?.spotify ?? options.spotify,
        defaultPlaylists: options.defaultPlaylists,
        ...(options.unavailablePlaylists
          ? { unavailablePlaylists: options.unavailablePlaylists }
          : {}),
        ...(credentialsStore ? { credentialsStore } : {}),
      }).finally(() => hourSpotify?.close());
      const rows = (result.output as PipelineOutput | undefined)?.transform?.rows;
      return {
        status: result.status,
        execution: result.executionName,
        durationMs: result.durationMs,
        ...(result.status === "SUCCEEDED" && rows
          ? { rows: Object.values(rows).reduce((sum, n) => sum + n, 0) }
          : {}),
        ...(result.status === "FAILED"
          ? {
              note: `${result.failedState?.name ?? "?"}: ${result.error}: ${lambdaErrorMessage(result.cause)}`,
            }
          : {}),
      };
    },
  };
}
