// The explorer's pages, rendered on the server (hono's `html` escapes every value) with the
// chart data embedded as JSON for the client script (client.ts) to draw.

import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { CLASSIC_NAMED_QUERIES } from "../../infra/named-queries";
import type { RunRecord } from "../run-records";
import type { LakeState, Row } from "./lake-data";
import type { overview, playlistDetail, songDetail, schema } from "./lake-data";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The empty state's command, exactly as the backfill command takes it. */
export const BACKFILL_HINT = "npm run backfill -- --from ... --to ...";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2327;background:#fafafa}
header{background:#14213d;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:baseline}
header a{color:#fff;text-decoration:none}header strong{font-size:1.05rem}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;background:#fff;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#1a7f37}.down{color:#c62828}.same{color:#777}
.flag{font-size:.72rem;font-weight:700;padding:.05rem .35rem;border-radius:3px;color:#fff}
.flag.new{background:#1565c0}.flag.re-entry{background:#8e24aa}
.empty{background:#fff8e1;border:1px solid #f0d98c;padding:.8rem 1rem;border-radius:4px}
.fail{color:#c62828}.ok{color:#1a7f37}code{background:#eef0f3;padding:0 .25rem;border-radius:3px}
.chart{background:#fff;border:1px solid #e3e3e3;padding:.4rem;margin:.4rem 0 1rem;min-height:120px}
.picks{columns:3;font-size:.85rem;margin-bottom:.5rem}.picks label{display:block}
textarea{width:100%;font:13px ui-monospace,monospace}details{margin:.3rem 0}
.schema{columns:2;font-size:.82rem}.schema div{break-inside:avoid;margin-bottom:.5rem}
button{padding:.3rem .8rem}.muted{color:#666}.u-legend .u-off{display:none}
`;

export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · spotify-lake explorer</title>
        <link rel="stylesheet" href="/assets/uPlot.min.css" />
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <strong>spotify-lake</strong><a href="/">Playlists</a><a href="/runs">Runs</a
          ><a href="/sql">SQL</a>
        </header>
        <main>${body}</main>
        <script src="/assets/explorer.js"></script>
      </body>
    </html>`;
}

/** JSON for the client script, safe inside a <script> element. */
const data = (id: string, value: unknown) =>
  html`<script type="application/json" id="${id}">
    ${raw(JSON.stringify(value).replace(/</g, "\\u003c"))}
  </script>`;

export function emptyState(state: Exclude<LakeState, "ready">, dataDir: string): Html {
  const why =
    state === "no-catalog"
      ? html`The lake in <code>${dataDir}</code> has no catalog.`
      : html`The catalog in <code>${dataDir}</code> has no playlist snapshots (or was written before
          the chart views; one more run records them).`;
  return html`<div class="empty" id="empty-state">
    <p>
      <strong>No history yet:</strong> run <code>${BACKFILL_HINT}</code> to take a range of hourly
      snapshots (or <code>npm start</code> for one hour).
    </p>
    <p class="muted">${why}</p>
  </div>`;
}

const rank = (position: unknown) => (position === null ? "" : Number(position) + 1);
const at = (date: unknown, hour: unknown) => `${date} ${hour}:00`;

function movement(row: Row): Html {
  const status = String(row.status);
  if (status === "new") return html`<span class="flag new">NEW</span>`;
  if (status === "re-entry") return html`<span class="flag re-entry">RE</span>`;
  const moved = Math.abs(Number(row.movement));
  if (status === "up") return html`<span class="up" title="up ${moved}">▲ ${moved}</span>`;
  if (status === "down") return html`<span class="down" title="down ${moved}">▼ ${moved}</span>`;
  return html`<span class="same" title="same">=</span>`;
}

export function overviewPage(o: Awaited<ReturnType<typeof overview>>): Html {
  return html`<h1>Playlists</h1>
    <p class="muted">
      ${o.hours} snapshot hour${o.hours === 1 ? "" : "s"},
      ${o.first?.toString().replace("T", " ")}:00 to ${o.last?.toString().replace("T", " ")}:00
      (UTC).
    </p>
    ${o.hours < 2 ? html`<p class="empty">One snapshot so far: movement needs two. Run <code>${BACKFILL_HINT}</code>.</p>` : ""}
    <table id="playlists">
      <thead>
        <tr>
          <th>playlist</th>
          <th>last read</th>
          <th class="n">snapshots</th>
          <th class="n">songs</th>
          <th class="n">followers</th>
          <th class="n">entered</th>
          <th class="n">left</th>
        </tr>
      </thead>
      <tbody>
        ${o.playlists.map(
          (p) =>
            html`<tr>
              <td>
                <a href="/playlists/${String(p.playlist_id)}"
                  >${String(p.playlist_name ?? p.playlist_id)}</a
                >
              </td>
              <td>${at(p.snapshot_date, p.snapshot_hour)}</td>
              <td class="n">${String(p.snapshots)}</td>
              <td class="n">${String(p.songs)}</td>
              <td class="n">${String(p.followers ?? "")}</td>
              <td class="n">${String(p.entered)}</td>
              <td class="n">${String(p.left)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function playlistPage(d: NonNullable<Awaited<ReturnType<typeof playlistDetail>>>): Html {
  const { info } = d;
  const top = new Set(d.current.slice(0, 10).map((r) => String(r.song_id)));
  return html`<h1>${String(info.playlist_name ?? info.playlist_id)}</h1>
    <p class="muted">
      Latest snapshot ${at(info.snapshot_date, info.snapshot_hour)} UTC (snapshot
      ${String(info.snapshot_number)}), ${String(info.songs)}
      songs${info.followers === null ? "" : html`, ${String(info.followers)} followers`}.
    </p>
    ${Number(info.snapshot_number) < 2 ? html`<p class="empty">One snapshot of this playlist so far: movement needs two. Run <code>${BACKFILL_HINT}</code>.</p>` : ""}
    <h2>Positions over time</h2>
    <div class="picks" id="song-picks">
      ${d.history.series.map(
        (s) =>
          html`<label
            ><input type="checkbox" value="${s.id}" ${top.has(s.id) ? raw(" checked") : ""} />
            ${s.label}</label
          >`,
      )}
    </div>
    <div class="chart" id="positions-chart" data-series="history"></div>
    ${data("history", d.history)}
    <h2>Current list</h2>
    <table id="current">
      <thead>
        <tr>
          <th class="n">#</th>
          <th></th>
          <th>song</th>
          <th>artist</th>
          <th class="n">prev</th>
          <th class="n">peak</th>
          <th>peak at</th>
          <th class="n">snapshots</th>
          <th class="n">days</th>
        </tr>
      </thead>
      <tbody>
        ${d.current.map(
          (r) =>
            html`<tr data-song="${String(r.song_id)}" data-status="${String(r.status)}">
              <td class="n">${rank(r.position)}</td>
              <td>${movement(r)}</td>
              <td><a href="/songs/${String(r.song_id)}">${String(r.song_name)}</a></td>
              <td>${String(r.artist_name)}</td>
              <td class="n">${rank(r.previous_position)}</td>
              <td class="n">${rank(r.peak_position)}</td>
              <td>${at(r.peak_date, r.peak_hour)}</td>
              <td class="n">${String(r.snapshots)}</td>
              <td class="n">${String(r.days)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Since the previous snapshot</h2>
    ${
      d.changes.length === 0
        ? html`<p class="muted" id="changes">No song entered or left.</p>`
        : html`<table id="changes">
            <thead>
              <tr>
                <th></th>
                <th>song</th>
                <th>artist</th>
                <th class="n">#</th>
              </tr>
            </thead>
            <tbody>
              ${d.changes.map(
                (c) =>
                  html`<tr>
                    <td>${String(c.change)}</td>
                    <td><a href="/songs/${String(c.song_id)}">${String(c.song_name)}</a></td>
                    <td>${String(c.artist_name)}</td>
                    <td class="n">${rank(c.position ?? c.previous_position)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>Entries and exits per day</h2>
    <div class="chart" id="daily-chart" data-series="daily"></div>
    ${data("daily", d.daily)}
    <table id="daily">
      <thead>
        <tr>
          <th>day</th>
          <th class="n">snapshots</th>
          <th class="n">songs</th>
          <th class="n">entries</th>
          <th class="n">exits</th>
          <th class="n">turnover</th>
          <th class="n">followers</th>
        </tr>
      </thead>
      <tbody>
        ${d.daily.map(
          (r) =>
            html`<tr>
              <td>${String(r.snapshot_date)}</td>
              <td class="n">${String(r.snapshots)}</td>
              <td class="n">${String(r.songs)}</td>
              <td class="n">${String(r.entries)}</td>
              <td class="n">${String(r.exits)}</td>
              <td class="n">
                ${r.turnover === null ? "" : `${(Number(r.turnover) * 100).toFixed(1)} %`}
              </td>
              <td class="n">${String(r.followers ?? "")}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function songPage(d: NonNullable<Awaited<ReturnType<typeof songDetail>>>): Html {
  return html`<h1>${String(d.song.song_name)}</h1>
    <p class="muted">${String(d.song.artist_name)}</p>
    <h2>Position history</h2>
    <div class="chart" id="song-chart" data-series="history"></div>
    ${data("history", d.history)}
    <table id="runs">
      <thead>
        <tr>
          <th>playlist</th>
          <th>first seen</th>
          <th>last seen</th>
          <th class="n">peak</th>
          <th>peak at</th>
          <th class="n">snapshots</th>
          <th class="n">days</th>
          <th class="n">entries</th>
        </tr>
      </thead>
      <tbody>
        ${d.runs.map(
          (r) =>
            html`<tr>
              <td>
                <a href="/playlists/${String(r.playlist_id)}"
                  >${String(r.playlist_name ?? r.playlist_id)}</a
                >
              </td>
              <td>${at(r.first_seen_date, r.first_seen_hour)}</td>
              <td>${at(r.last_seen_date, r.last_seen_hour)}</td>
              <td class="n">${rank(r.peak_position)}</td>
              <td>${at(r.peak_date, r.peak_hour)}</td>
              <td class="n">${String(r.snapshots)}</td>
              <td class="n">${String(r.days)}</td>
              <td class="n">${String(r.entries)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function runsPage(runs: readonly RunRecord[], dataDir: string): Html {
  if (runs.length === 0) {
    return html`<h1>Runs</h1>
      <div class="empty" id="empty-state">
        <p>
          <strong>No runs recorded yet</strong> in <code>${dataDir}/runs</code>: run
          <code>npm start</code>, or <code>${BACKFILL_HINT}</code>.
        </p>
      </div>`;
  }
  return html`<h1>Runs</h1>
    <table id="run-list">
      <thead>
        <tr>
          <th>started (UTC)</th>
          <th>snapshot</th>
          <th>mode</th>
          <th>status</th>
          <th class="n">duration</th>
          <th>failed in</th>
        </tr>
      </thead>
      <tbody>
        ${runs.map(
          (r) =>
            html`<tr>
              <td>${r.startedAt.replace("T", " ").slice(0, 19)}</td>
              <td>${r.snapshot.slice(0, 13).replace("T", " ")}:00</td>
              <td>${r.mode}${r.redriveCount ? ` (redrive ${r.redriveCount})` : ""}</td>
              <td class="${r.status === "SUCCEEDED" ? "ok" : "fail"}">${r.status}</td>
              <td class="n">${(r.durationMs / 1000).toFixed(1)} s</td>
              <td>${r.failedState ? `${r.failedState}: ${r.error ?? ""}` : ""}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${runs.map(
      (r) =>
        html`<details class="run">
          <summary>
            ${r.snapshot.slice(0, 13).replace("T", " ")}:00 · ${r.status} · ${r.executionName}
          </summary>
          ${r.cause ? html`<p class="fail">${r.error}: ${r.cause.slice(0, 500)}</p>` : ""}
          <table>
            <thead>
              <tr>
                <th>state</th>
                <th class="n">entered</th>
                <th class="n">retried</th>
                <th class="n">ms</th>
                <th>outcome</th>
              </tr>
            </thead>
            <tbody>
              ${r.states.map(
                (s) =>
                  html`<tr>
                    <td>${s.name}</td>
                    <td class="n">${s.entered}</td>
                    <td class="n">${s.retried}</td>
                    <td class="n">${s.durationMs}</td>
                    <td class="${s.outcome === "failed" ? "fail" : ""}">${s.outcome}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${
            r.rows
              ? html`<table>
                  <thead>
                    <tr>
                      <th>table</th>
                      <th class="n">rows</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${Object.entries(r.rows).map(
                      ([t, n]) =>
                        html`<tr>
                          <td>${t}</td>
                          <td class="n">${n}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : ""
          }
          ${
            r.checks
              ? html`<table>
                  <thead>
                    <tr>
                      <th>check</th>
                      <th class="n">actual</th>
                      <th>expected</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${r.checks.map(
                      (c) =>
                        html`<tr>
                          <td class="${c.passed ? "ok" : "fail"}">
                            ${c.passed ? "✔" : "✘"} ${c.check}
                          </td>
                          <td class="n">${c.actual}</td>
                          <td>${c.expected}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : ""
          }
        </details>`,
    )}`;
}

/** The example queries of the SQL page: the two classic ones, then one over a view. */
export const EXAMPLE_QUERIES: readonly string[] = [
  ...CLASSIC_NAMED_QUERIES.map((q) => q.query),
  "SELECT playlist_id, song_name, status, movement FROM playlist_positions WHERE status <> 'same' ORDER BY snapshot_date DESC, snapshot_hour DESC LIMIT 50;",
];

export function sqlPage(relations: Awaited<ReturnType<typeof schema>>): Html {
  return html`<h1>SQL</h1>
    <p class="muted">
      Read-only: one SELECT over the lake's tables and views (DuckDB, the same sandbox as
      <code>npm run query</code>).
    </p>
    <p>
      ${EXAMPLE_QUERIES.map((q) => html`<button type="button" class="example" data-sql="${q}">${q.length > 60 ? `${q.slice(0, 57)}…` : q}</button> `)}
    </p>
    <form id="sql-form">
      <textarea id="sql" name="sql" rows="6" spellcheck="false">${EXAMPLE_QUERIES[1]}</textarea>
      <p>
        <button type="submit" id="run-query">Run</button>
        <a id="csv-link" href="#" hidden>Download CSV</a>
        <span id="query-status" class="muted"></span>
      </p>
    </form>
    <div id="result"></div>
    <p>
      <button type="button" id="prev-page" hidden>◀ previous</button>
      <button type="button" id="next-page" hidden>next ▶</button>
    </p>
    <h2>Tables and views</h2>
    <div class="schema" id="schema">
      ${relations.map(
        (r) =>
          html`<div>
            <strong>${r.name}</strong> <span class="muted">${r.kind}</span><br /><span class="muted"
              >${r.columns.join(", ")}</span
            >
          </div>`,
      )}
    </div>`;
}
