// What each local run leaves in the data folder about itself, as Step Functions remembers
// executions: runs/<execution>-<redrive>.json with its snapshot, status, time per state, rows
// per table and checks, written by the local pipeline when the run ends (`npm start`, the
// backfill, tests). The explorer's runs page, `runs --local` and the backfill's "already
// succeeded" read them. AWS keeps the same in the execution history; the local interpreter
// keeps nothing once the process ends. A run that failed before it fixed its snapshot hour
// (invalid input) writes nothing, as it promises. Outside raw/ and lake/: the lake's bytes do
// not depend on them.

import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PipelineOutput } from "../statemachine/pipeline";
import { temporaryPathFor } from "./adapters/temporary-files";
import type { LocalRunResult, StateProgress } from "./local-pipeline";

export interface StateRecord {
  name: string;
  /** Times the state was entered (loops poll several times). */
  entered: number;
  retried: number;
  /** Time spent in the state, over all its entries. */
  durationMs: number;
  outcome: "succeeded" | "failed" | "caught";
}

export interface RunRecord {
  executionName: string;
  startedAt: string;
  redriveCount: number;
  snapshot: string;
  mode: string;
  status: LocalRunResult["status"];
  durationMs: number;
  error?: string;
  cause?: string;
  failedState?: string;
  states: StateRecord[];
  rows?: Record<string, number>;
  checks?: { check: string; passed: boolean; actual: number; expected: string }[];
}

export const runsDirOf = (dataDir: string) => join(dataDir, "runs");

/** Collects a run's top-level state events, then saves its record. */
export function runRecorder(
  dataDir: string,
  run: { executionName: string; startTime: Date; redriveCount: number },
) {
  const states = new Map<string, StateRecord>();
  let snapshot: { snapshot: string; mode: string } | undefined;
  return {
    observe(event: StateProgress): void {
      if (event.iteration !== undefined) return;
      const input = event.input as { run?: { snapshot?: unknown; mode?: unknown } } | undefined;
      if (!snapshot && typeof input?.run?.snapshot === "string") {
        snapshot = { snapshot: input.run.snapshot, mode: String(input.run.mode ?? "full") };
      }
      const state = states.get(event.state) ?? {
        name: event.state,
        entered: 0,
        retried: 0,
        durationMs: 0,
        outcome: "succeeded",
      };
      if (event.phase === "entered") state.entered += 1;
      else if (event.phase === "retried") state.retried += 1;
      else state.outcome = event.phase;
      state.durationMs += event.phase === "entered" ? 0 : (event.durationMs ?? 0);
      states.set(event.state, state);
    },
    async save(result: LocalRunResult): Promise<void> {
      if (!snapshot) return;
      const output = result.output as PipelineOutput | undefined;
      const record: RunRecord = {
        executionName: run.executionName,
        startedAt: run.startTime.toISOString(),
        redriveCount: run.redriveCount,
        ...snapshot,
        status: result.status,
        durationMs: result.durationMs,
        ...(result.error ? { error: result.error } : {}),
        ...(result.cause ? { cause: result.cause } : {}),
        ...(result.failedState ? { failedState: result.failedState.name } : {}),
        states: [...states.values()],
        ...(output?.transform?.rows ? { rows: output.transform.rows } : {}),
        ...(output?.validation?.checks?.results
          ? { checks: output.validation.checks.results }
          : {}),
      };
      const dir = runsDirOf(dataDir);
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${run.executionName}-${run.redriveCount}.json`);
      const temporary = temporaryPathFor(path);
      try {
        await writeFile(temporary, JSON.stringify(record, null, 2));
        await rename(temporary, path);
      } finally {
        await rm(temporary, { force: true });
      }
    },
  };
}

/** Rows written over all tables, when the run got as far as the transform. */
export const totalRows = (record: RunRecord): number | undefined =>
  record.rows ? Object.values(record.rows).reduce((sum, n) => sum + n, 0) : undefined;

/**
 * Every recorded run, newest first; none when nothing ran yet. A record cut short or mangled
 * is skipped: a record is a convenience, not data, and must not stop a backfill or a page.
 */
export async function readRunRecords(dataDir: string): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = (await readdir(runsDirOf(dataDir))).filter((n) => n.endsWith(".json"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: RunRecord[] = [];
  for (const name of names) {
    try {
      const record = JSON.parse(
        await readFile(join(runsDirOf(dataDir), name), "utf8"),
      ) as RunRecord;
      if (typeof record.executionName === "string" && typeof record.status === "string") {
        records.push(record);
      }
    } catch {
      // unreadable: this run is simply not remembered
    }
  }
  return records.sort(
    (a, b) => b.startedAt.localeCompare(a.startedAt) || b.redriveCount - a.redriveCount,
  );
}
