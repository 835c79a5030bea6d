// Text rendering for the CLI: the run summary and query results as aligned tables.

import { join } from "node:path";
import { lambdaErrorMessage } from "../functions/commons/errors";
import type { PipelineOutput } from "../statemachine/pipeline";
import type { LocalRunResult } from "./local-pipeline";

const MAX_CELL = 60;

function cell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // Names may hold newlines and tabs; keep one row per line.
  const flat = text.replace(/\r?\n/g, "⏎").replace(/\t/g, " ");
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

export function formatTable(columns: string[], rows: Record<string, unknown>[]): string {
  const body = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join(" │ ");
  const rule = widths.map((w) => "─".repeat(w)).join("─┼─");
  return [
    line(columns),
    rule,
    ...body.map(line),
    `(${rows.length} row${rows.length === 1 ? "" : "s"})`,
  ].join("\n");
}

export function formatSummary(result: LocalRunResult, dataDir: string): string {
  const lines: string[] = [];
  if (result.status === "FAILED") {
    lines.push(
      `Run FAILED after ${result.durationMs} ms in ${result.failedState?.name ?? "?"}: ${result.error}`,
    );
    lines.push(`  ${lambdaErrorMessage(result.cause)}`);
    const child = result.mapRunFailure;
    if (child) {
      // The Map Run's error only says a child failed; the child's error is what to act on.
      lines.push(
        `  ${child.state}'s child execution ${child.child} failed: ${child.error}`,
        `  ${lambdaErrorMessage(child.cause)}`,
      );
    }
    if (result.error === "SnapshotLockedError" || child?.error === "SnapshotLockedError") {
      // The local command line cannot redrive: what it can do is run again.
      lines.push(
        "  (Another local run of this hour holds its lease and its process is still running;",
        "   a lease whose process is gone is taken over at once. Run the same command again once",
        "   that run ends (or its lease runs out: 20 minutes at most); if the lease was taken on",
        `   another machine and no run uses this data folder, delete ${join(dataDir, "raw", "_leases")}.)`,
      );
    }
    return lines.join("\n");
  }
  const out = (result.output ?? {}) as PipelineOutput;
  lines.push(
    `Run SUCCEEDED in ${result.durationMs} ms — snapshot ${out.run?.snapshot} (${out.run?.mode}), ` +
      `${out.run?.playlistItems?.count ?? 0} playlists`,
  );
  if (out.extraction?.entries !== undefined) {
    lines.push(
      `Extracted: ${out.extraction.entries} playlist entries, ${out.extraction.artists} artists`,
    );
  }
  if (out.extraction?.authorizationWarning) {
    lines.push(`Warning: ${out.extraction.authorizationWarning}`);
  }
  const rows = out.transform?.rows ?? {};
  lines.push("", "Rows per table:");
  for (const [table, n] of Object.entries(rows)) lines.push(`  ${table.padEnd(16)} ${n}`);
  const entries = out.transform?.entries;
  if (entries) {
    lines.push(
      "",
      `Entries read: ${entries.read} = ${entries.rows} songs + skipped + set aside`,
      ...Object.entries(entries.skipped).map(([k, n]) => `  skipped ${k.padEnd(22)} ${n}`),
      ...Object.entries(entries.quarantined).map(([k, n]) => `  set aside ${k.padEnd(20)} ${n}`),
    );
    if (Object.keys(entries.quarantined).length > 0 && out.run) {
      lines.push(
        `  (each set-aside record, with its reason: lake/quarantine/snapshot_date=${out.run.snapshotDate}/snapshot_hour=${out.run.snapshotHour}/version=${out.transform?.version ?? "…"}/rejected-entries.ndjson)`,
      );
    }
  }
  const checks = out.validation?.checks?.results ?? [];
  lines.push("", "Checks:");
  for (const c of checks) {
    lines.push(
      `  ${c.passed ? "✔" : "✘"} ${c.check.padEnd(42)} actual ${c.actual} (expected ${c.expected})`,
    );
  }
  return lines.join("\n");
}
