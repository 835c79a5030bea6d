// The terminal side of the operations CLI: lines for a watched execution, the backfill's
// progress and outcome table, the runs table. Each printer takes a `write` (console.log, or a
// test's array) and, for the progress bar, whether it may redraw one line (a TTY).

import { lambdaErrorMessage } from "../functions/commons/errors";
import { formatTable } from "../local/report";
import type { RunSummary } from "./aws/executions";
import type { WatchEvent } from "./aws/watch";
import type { BackfillProgress, HourOutcome } from "./backfill/engine";
import { formatDuration, progressBar } from "./format";

export type Write = (line: string) => void;

/** One line per state start and end; the Map's progress at each quarter (and its end). */
export function watchPrinter(write: Write): (event: WatchEvent) => void {
  const lastQuarter = new Map<string, number>();
  // A Distributed Map's progress comes from a DescribeMapRun at each poll: the same counts
  // again are not a new line.
  const lastCounts = new Map<string, string>();
  return (event) => {
    switch (event.kind) {
      case "state-entered":
        write(`  ▶ ${event.state}`);
        return;
      case "state-exited":
        write(`  ✔ ${event.state.padEnd(26)} ${formatDuration(event.durationMs).padStart(10)}`);
        return;
      case "map-progress": {
        const finished = event.done + event.failed;
        const quarter = event.total === 0 ? 4 : Math.floor((finished / event.total) * 4);
        const counts = `${event.done}/${event.failed}/${event.total}`;
        if (counts === lastCounts.get(event.state)) return;
        lastCounts.set(event.state, counts);
        if (finished > 0 && quarter === lastQuarter.get(event.state)) return;
        lastQuarter.set(event.state, quarter);
        write(
          `    ${event.state}: ${finished}/${event.total} iterations done` +
            (event.failed ? ` (${event.failed} failed)` : ""),
        );
        return;
      }
      case "note":
        write(`    (${event.message})`);
        return;
      case "redriven":
        lastCounts.clear();
        write(`  ↻ redriven (redrive ${event.redriveCount}): resuming where it failed`);
        return;
      case "ended":
        if (event.status === "SUCCEEDED") {
          write("Execution SUCCEEDED");
          return;
        }
        write(
          `Execution ${event.status}${event.failedState ? ` in ${event.failedState}` : ""}` +
            `${event.error ? `: ${event.error}` : ""}`,
        );
        if (event.cause) write(`  ${lambdaErrorMessage(event.cause)}`);
        if (event.child) {
          // A failed Map Run's error only says a child failed; the child's error is what to act
          // on (the same lines as the local run's summary, local/report.ts).
          const { child } = event;
          write(`  ${child.state}'s child execution ${child.name} failed: ${child.error ?? "?"}`);
          if (child.cause) write(`  ${lambdaErrorMessage(child.cause)}`);
        }
    }
  };
}

/** The progress bar: redrawn in place on a TTY, else one line per finished hour. */
export function backfillProgressPrinter(
  write: Write,
  redraw?: (line: string) => void,
): (progress: BackfillProgress) => void {
  return (progress) => {
    const bar = progressBar(progress);
    if (redraw) {
      redraw(bar);
      return;
    }
    const { outcome } = progress;
    write(`${bar}   ${outcome.hour.slice(0, 13)}h ${outcome.status.toLowerCase()}`);
  };
}

export function outcomesTable(outcomes: readonly HourOutcome[]): string {
  return formatTable(
    ["hour", "outcome", "execution", "duration", "rows", "note"],
    outcomes.map((o) => ({
      hour: o.hour.replace(":00:00.000Z", "Z"),
      outcome: o.status,
      execution: o.execution ?? "",
      duration: formatDuration(o.durationMs),
      rows: o.rows ?? "",
      note: o.note ?? "",
    })),
  );
}

export function runsTable(runs: readonly RunSummary[]): string {
  return formatTable(
    ["execution", "snapshot", "mode", "status", "started", "duration", "rows"],
    runs.map((run) => ({
      execution: run.name,
      snapshot: run.snapshot?.replace(":00:00.000Z", "Z") ?? "?",
      mode: run.mode ?? "",
      status: run.redriveCount ? `${run.status} (redriven ${run.redriveCount})` : run.status,
      started: run.startDate?.toISOString().replace(/\.\d{3}Z$/, "Z") ?? "",
      duration: formatDuration(run.durationMs),
      rows: run.rows ?? "",
    })),
  );
}
