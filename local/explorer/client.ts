/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The explorer's browser script, bundled with uPlot by the server (server.ts) and served from
// it: draws the charts from the JSON the pages embed, and runs the SQL page's queries.

import uPlot from "uplot";

interface HistorySeries {
  times: string[];
  series: { id: string; label: string; ranks: (number | null)[] }[];
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const embedded = <T>(id: string): T => JSON.parse(byId(id)?.textContent ?? "null") as T;
const seconds = (time: string) => Date.parse(`${time}:00:00Z`) / 1000;
const colour = (i: number) => `hsl(${(i * 137.5) % 360} 65% 45%)`;
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
/** An x range padded by `pad` seconds, so one point does not stretch the axis over years. */
const padded =
  (pad: number): uPlot.Range.Function =>
  (_u, min, max) => [min - pad, max + pad];

function chartWidth(container: HTMLElement): number {
  return Math.max(320, container.clientWidth - 16);
}

/** Ranks over time, rank 1 at the top; `picks` (checkboxes) choose the songs shown. */
function drawRanks(container: HTMLElement, data: HistorySeries, picks?: HTMLElement | null) {
  const chosen = new Set(
    picks
      ? [...picks.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value)
      : data.series.map((s) => s.id),
  );
  const plot = new uPlot(
    {
      width: chartWidth(container),
      height: 340,
      tzDate: utc,
      scales: {
        x: { time: true, range: padded(1800) },
        y: { dir: -1, range: (_u, min, max) => [Math.max(0.5, min - 0.5), max + 0.5] },
      },
      axes: [{}, { label: "position" }],
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: colour(i),
          width: 2,
          show: chosen.has(s.id),
          points: { show: true, size: 5 },
        })),
      ],
    },
    [data.times.map(seconds), ...data.series.map((s) => s.ranks)] as uPlot.AlignedData,
    container,
  );
  picks?.addEventListener("change", (event) => {
    const input = event.target as HTMLInputElement;
    const index = data.series.findIndex((s) => s.id === input.value);
    if (index >= 0) plot.setSeries(index + 1, { show: input.checked });
  });
}

/** Entries and exits per day, as bars. */
function drawDaily(container: HTMLElement, days: Record<string, unknown>[]) {
  // Side by side: entries left of the day, exits right of it.
  const bars = (align: -1 | 1) => uPlot.paths.bars!({ size: [0.3, 30], align });
  new uPlot(
    {
      width: chartWidth(container),
      height: 220,
      tzDate: utc,
      scales: { x: { time: true, range: padded(86400) } },
      axes: [{}, { label: "songs" }],
      series: [
        {},
        { label: "entries", stroke: "#1a7f37", fill: "#1a7f3755", paths: bars(-1) },
        { label: "exits", stroke: "#c62828", fill: "#c6282855", paths: bars(1) },
      ],
    },
    [
      days.map((d) => Date.parse(`${String(d.snapshot_date)}T12:00:00Z`) / 1000),
      days.map((d) => Number(d.entries)),
      days.map((d) => Number(d.exits)),
    ],
    container,
  );
}

interface QueryPage {
  columns: string[];
  rows: Record<string, unknown>[];
  page: number;
  pageSize: number;
  total: number;
  error?: string;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The SQL page: run the textarea's query, page through its rows, link its CSV. */
function sqlPage(form: HTMLFormElement) {
  const sql = byId<HTMLTextAreaElement>("sql")!;
  const result = byId("result")!;
  const status = byId("query-status")!;
  const csv = byId<HTMLAnchorElement>("csv-link")!;
  const prev = byId<HTMLButtonElement>("prev-page")!;
  const next = byId<HTMLButtonElement>("next-page")!;
  let page = 0;
  const run = async () => {
    status.textContent = "running…";
    const response = await fetch("/api/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: sql.value, page }),
    });
    const body = (await response.json()) as QueryPage;
    result.replaceChildren();
    if (!response.ok) {
      status.textContent = "";
      const error = document.createElement("p");
      error.className = "fail";
      error.id = "query-error";
      error.textContent = body.error ?? `HTTP ${response.status}`;
      result.append(error);
      csv.hidden = prev.hidden = next.hidden = true;
      return;
    }
    const table = document.createElement("table");
    table.id = "result-table";
    const head = table.createTHead().insertRow();
    for (const c of body.columns)
      head.append(Object.assign(document.createElement("th"), { textContent: c }));
    const tbody = table.createTBody();
    for (const row of body.rows) {
      const tr = tbody.insertRow();
      for (const c of body.columns) tr.insertCell().textContent = cellText(row[c]);
    }
    result.append(table);
    const first = body.total === 0 ? 0 : body.page * body.pageSize + 1;
    status.textContent = `rows ${first}–${body.page * body.pageSize + body.rows.length} of ${body.total}`;
    csv.href = `/api/query.csv?sql=${encodeURIComponent(sql.value)}`;
    csv.hidden = false;
    prev.hidden = body.page === 0;
    next.hidden = (body.page + 1) * body.pageSize >= body.total;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 0;
    void run();
  });
  prev.addEventListener("click", () => {
    page -= 1;
    void run();
  });
  next.addEventListener("click", () => {
    page += 1;
    void run();
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.example")) {
    button.addEventListener("click", () => {
      sql.value = button.dataset.sql ?? "";
      page = 0;
      void run();
    });
  }
}

for (const id of ["positions-chart", "song-chart"]) {
  const container = byId(id);
  if (container) drawRanks(container, embedded<HistorySeries>("history"), byId("song-picks"));
}
const daily = byId("daily-chart");
if (daily) drawDaily(daily, embedded<Record<string, unknown>[]>("daily"));
const form = byId<HTMLFormElement>("sql-form");
if (form) sqlPage(form);
