// What the local pipeline remembers of its runs, as Step Functions remembers executions: one
// small JSON record per run under <data dir>/runs/, written when the run ends (`npm start`,
// the backfill). `runs --local` lists them and the backfill skips the hours that succeeded.
// Outside raw/ and lake/: the lake's bytes do not depend on them.

import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseSnapshotHour } from "../functions/commons/snapshot";
import type { PipelineOutput } from "../statemachine/pipeline";
import type { LocalRunResult } from "./local-pipeline";

export interface LocalRunRecord {
  executionName: string;
  status: LocalRunResult["status"];
  /** The snapshot hour (ISO), when the input or the output names one. */
  snapshot?: string;
  mode: string;
  startedAt: string;
  durationMs: number;
  /** Rows written over all tables (SUCCEEDED). */
  rows?: number;
  error?: string;
  cause?: string;
}

export const runRecordsDir = (dataDir: string) => join(dataDir, "runs");

function snapshotOf(input: unknown, output: PipelineOutput | undefined): string | undefined {
  if (output?.run?.snapshot) return output.run.snapshot;
  const given = (input as { snapshot?: unknown } | undefined)?.snapshot;
  try {
    return given === undefined ? undefined : parseSnapshotHour(given).iso;
  } catch {
    return undefined; // an invalid snapshot: the run failed on it, and has no hour
  }
}

export function runRecordOf(
  input: unknown,
  result: LocalRunResult,
  startedAt: Date,
): LocalRunRecord {
  const output = result.status === "SUCCEEDED" ? (result.output as PipelineOutput) : undefined;
  const snapshot = snapshotOf(input, output);
  const givenMode = (input as { mode?: unknown } | undefined)?.mode;
  const rows = output?.transform?.rows
    ? Object.values(output.transform.rows).reduce((sum, n) => sum + n, 0)
    : undefined;
  return {
    executionName: result.executionName,
    status: result.status,
    ...(snapshot ? { snapshot } : {}),
    mode: output?.run?.mode ?? (typeof givenMode === "string" ? givenMode : "full"),
    startedAt: startedAt.toISOString(),
    durationMs: result.durationMs,
    ...(rows !== undefined ? { rows } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.cause ? { cause: result.cause } : {}),
  };
}

/** Writes the run's record (whole, through a rename: a reader never sees half of one). */
export async function recordLocalRun(dataDir: string, record: LocalRunRecord): Promise<void> {
  const dir = runRecordsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${record.executionName}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Every run record, newest first; unreadable ones are skipped (a record is a convenience, not data). */
export async function readLocalRuns(dataDir: string): Promise<LocalRunRecord[]> {
  let names: string[];
  try {
    names = await readdir(runRecordsDir(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: LocalRunRecord[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    try {
      const record = JSON.parse(
        await readFile(join(runRecordsDir(dataDir), name), "utf8"),
      ) as LocalRunRecord;
      if (typeof record.executionName === "string" && typeof record.status === "string") {
        records.push(record);
      }
    } catch {
      // a record cut short by a crash: the run is simply not remembered
    }
  }
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
