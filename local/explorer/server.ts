// `npm run explore`: a web app on loopback over the local lake. Hono routes render the pages
// (pages.ts) from the lake (lake-data.ts) and answer a small JSON API the pages and tests use;
// the browser script (client.ts, with uPlot) is bundled by esbuild when first asked for, so
// every asset comes from this server and a page makes no request elsewhere. Requests whose
// Host is not a loopback name are refused, so a web page cannot reach the explorer through a
// DNS name rebound to 127.0.0.1.

import { serve } from "@hono/node-server";
import { build } from "esbuild";
import { Hono } from "hono";
import { html } from "hono/html";
import type { Context } from "hono";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { readRunRecords } from "../run-records";
import type { Lake, Row } from "./lake-data";
import {
  lakeState,
  overview,
  playlistDetail,
  schema,
  songDetail,
  spotifyId,
  withLake,
} from "./lake-data";
import type { Html } from "./pages";
import {
  BACKFILL_HINT,
  emptyState,
  layout,
  overviewPage,
  playlistPage,
  runsPage,
  songPage,
  sqlPage,
} from "./pages";

/** Rows per page of the SQL page's table. */
export const PAGE_SIZE = 50;
/** A query's result is held in memory to page it: beyond this many rows, ask for a LIMIT. */
export const MAX_RESULT_ROWS = 100_000;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

let clientBundle: Promise<string> | undefined;
/** The browser script with uPlot, bundled once per process. */
function clientScript(): Promise<string> {
  clientBundle ??= build({
    entryPoints: [join(__dirname, "client.ts")],
    bundle: true,
    write: false,
    minify: true,
    format: "iife",
    target: "es2020",
    logLevel: "silent",
  }).then((r) => r.outputFiles[0]!.text);
  return clientBundle;
}

const uplotCss = () => readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8");

/** A query's rows, refusing a result too large to page in memory. */
async function queryRows(dataDir: string, sql: string) {
  return withLake(dataDir, async (lake: Lake) => {
    const rows = await lake.query(sql);
    if (rows.length > MAX_RESULT_ROWS) {
      throw new Error(
        `the result has ${rows.length} rows, more than ${MAX_RESULT_ROWS}: add a LIMIT or filter`,
      );
    }
    const columns = rows[0] ? Object.keys(rows[0]) : [];
    return { columns, rows };
  });
}

/** A query's columns, which an empty result (no rows to read names from) still has. */
async function queryColumns(dataDir: string, sql: string, rows: Row[]) {
  if (rows.length > 0) return Object.keys(rows[0]!);
  return withLake(dataDir, async (lake) =>
    (await lake.query(`DESCRIBE ${sql.replace(/;\s*$/, "")}`)).map((r) => String(r.column_name)),
  ).catch(() => []);
}

function csvOf(columns: string[], rows: Row[]): string {
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return "";
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns, ...rows.map((r) => columns.map((c) => r[c]))]
    .map((line) => line.map(cell).join(","))
    .join("\r\n");
}

const errorMessage = (error: unknown) => (error as Error).message.split("\n")[0]!;

export function explorerApp(dataDir: string): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    const host = (c.req.header("host") ?? "").replace(/:\d+$/, "");
    if (!LOOPBACK_HOSTS.has(host)) return c.text("the explorer answers loopback names only", 403);
    await next();
  });

  /** Runs `render` over the lake, or shows the empty state. */
  const page = async (
    c: Context,
    title: string,
    render: (lake: Lake) => Promise<Html | undefined>,
  ) => {
    const state = await lakeState(dataDir);
    if (state !== "ready") return c.html(layout(title, emptyState(state, dataDir)));
    const body = await withLake(dataDir, render);
    if (body === undefined)
      return c.html(layout("Not found", html`<p>Nothing by that id in the lake.</p>`), 404);
    return c.html(layout(title, body));
  };
  /** Answers `read` over the lake as JSON, or 404 with the state and what to run. */
  const api = async (c: Context, read: (lake: Lake) => Promise<unknown>) => {
    const state = await lakeState(dataDir);
    if (state !== "ready") return c.json({ state, hint: BACKFILL_HINT }, 404);
    const body = await withLake(dataDir, read);
    return body === undefined ? c.json({ error: "not found" }, 404) : c.json(body);
  };
  const idParam = (c: Context) => spotifyId(c.req.param("id") ?? "");

  app.get("/assets/explorer.js", async (c) =>
    c.body(await clientScript(), 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/assets/uPlot.min.css", async (c) =>
    c.body(await uplotCss(), 200, { "content-type": "text/css; charset=utf-8" }),
  );

  app.get("/", (c) => page(c, "Playlists", async (lake) => overviewPage(await overview(lake))));
  app.get("/playlists/:id", (c) =>
    page(c, "Playlist", async (lake) => {
      const id = idParam(c);
      const detail = id && (await playlistDetail(lake, id));
      return detail ? playlistPage(detail) : undefined;
    }),
  );
  app.get("/songs/:id", (c) =>
    page(c, "Song", async (lake) => {
      const id = idParam(c);
      const detail = id && (await songDetail(lake, id));
      return detail ? songPage(detail) : undefined;
    }),
  );
  app.get("/runs", async (c) =>
    c.html(layout("Runs", runsPage(await readRunRecords(dataDir), dataDir))),
  );
  app.get("/sql", (c) => page(c, "SQL", async (lake) => sqlPage(await schema(lake))));

  app.get("/api/playlists", (c) => api(c, overview));
  app.get("/api/playlists/:id", (c) =>
    api(c, async (lake) => {
      const id = idParam(c);
      return id ? playlistDetail(lake, id) : undefined;
    }),
  );
  app.get("/api/songs/:id", (c) =>
    api(c, async (lake) => {
      const id = idParam(c);
      return id ? songDetail(lake, id) : undefined;
    }),
  );
  app.get("/api/schema", (c) => api(c, schema));
  app.get("/api/runs", async (c) => c.json(await readRunRecords(dataDir)));

  app.post("/api/query", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { sql?: unknown; page?: unknown };
    if (typeof body.sql !== "string" || body.sql.trim() === "") {
      return c.json({ error: 'give the query as {"sql": "SELECT ..."}' }, 400);
    }
    const pageNumber =
      Number.isInteger(body.page) && Number(body.page) >= 0 ? Number(body.page) : 0;
    if ((await lakeState(dataDir)) === "no-catalog") {
      return c.json({ error: `no lake yet: run \`${BACKFILL_HINT}\`` }, 404);
    }
    try {
      const { rows } = await queryRows(dataDir, body.sql);
      const columns = await queryColumns(dataDir, body.sql, rows);
      const start = pageNumber * PAGE_SIZE;
      return c.json({
        columns,
        rows: rows.slice(start, start + PAGE_SIZE),
        page: pageNumber,
        pageSize: PAGE_SIZE,
        total: rows.length,
      });
    } catch (error) {
      return c.json({ error: errorMessage(error) }, 400);
    }
  });
  app.get("/api/query.csv", async (c) => {
    const sql = c.req.query("sql") ?? "";
    if (sql.trim() === "") return c.text("give the query as ?sql=SELECT ...", 400);
    try {
      const { rows } = await queryRows(dataDir, sql);
      const columns = await queryColumns(dataDir, sql, rows);
      return c.body(csvOf(columns, rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="query.csv"',
      });
    } catch (error) {
      return c.text(errorMessage(error), 400);
    }
  });
  return app;
}

export interface RunningExplorer {
  url: string;
  close(): Promise<void>;
}

/** Serves the explorer on 127.0.0.1 (`port` 0: any free port). */
export async function startExplorer(dataDir: string, port: number): Promise<RunningExplorer> {
  const app = explorerApp(dataDir);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
    server.once("error", reject);
  });
}
