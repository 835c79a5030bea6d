// The backfill's local runner: an hour is one run of the local pipeline (local/local-pipeline.ts)
// against the emulator, a replay or live Spotify, recorded in the data folder's run records;
// an hour is done when a record says a run of it in the same mode SUCCEEDED.

import type { UnavailablePlaylistsPolicy } from "../../functions/commons/config";
import { lambdaErrorMessage } from "../../functions/commons/errors";
import type { LocalPipelineOptions } from "../../local/local-pipeline";
import { runPipelineLocally } from "../../local/local-pipeline";
import { readLocalRuns, recordLocalRun, runRecordOf } from "../../local/run-records";
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
}

export function localBackfillRunner(options: LocalRunnerOptions): BackfillRunner {
  return {
    async alreadyDone(hours) {
      const wanted = new Set(hours);
      const done = new Map<string, { execution: string; note: string }>();
      for (const record of await readLocalRuns(options.dataDir)) {
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
      const startedAt = new Date();
      const result = await runPipelineLocally({
        dataDir: options.dataDir,
        input,
        spotify: options.spotify,
        defaultPlaylists: options.defaultPlaylists,
        ...(options.unavailablePlaylists
          ? { unavailablePlaylists: options.unavailablePlaylists }
          : {}),
        ...(options.credentialsStore ? { credentialsStore: options.credentialsStore } : {}),
      });
      const record = runRecordOf(input, result, startedAt);
      await recordLocalRun(options.dataDir, record);
      return {
        status: result.status,
        execution: result.executionName,
        durationMs: result.durationMs,
        ...(record.rows !== undefined ? { rows: record.rows } : {}),
        ...(result.status === "FAILED"
          ? {
              note: `${result.failedState?.name ?? "?"}: ${result.error}: ${lambdaErrorMessage(result.cause)}`,
            }
          : {}),
      };
    },
  };
}
