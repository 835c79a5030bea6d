// Text the operations CLI prints: query results as a table (local/report.ts's), CSV or JSON;
// durations, sizes and costs; the backfill's progress bar. Pure functions of their input, so
// other front ends (a web explorer) can reuse them.

import { formatTable } from "../local/report";

export type OutputFormat = "table" | "csv" | "json";

/** RFC 4180: quote a field holding a comma, quote, CR or LF; NULL is an empty field. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRows(
  columns: string[],
  rows: Record<string, unknown>[],
  format: OutputFormat,
): string {
  if (format === "csv") {
    return [columns, ...rows.map((row) => columns.map((c) => row[c]))]
      .map((fields) => fields.map(csvField).join(","))
      .join("\r\n");
  }
  if (format === "json") {
    // Keys in column order, as the query named them.
    return JSON.stringify(
      rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null]))),
      null,
      2,
    );
  }
  return formatTable(columns, rows);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

/** `[██████░░░░░░]  6/12 hours  4 succeeded, 1 failed, 1 skipped`. */
export function progressBar(
  counts: { done: number; total: number; succeeded: number; failed: number; skipped: number },
  width = 24,
): string {
  const filled = counts.total === 0 ? width : Math.round((counts.done / counts.total) * width);
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  return (
    `[${bar}] ${String(counts.done).padStart(String(counts.total).length)}/${counts.total} hours  ` +
    `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.skipped} skipped`
  );
}
