// `npm run explore [-- --port N] [--data-dir <folder>]`: serves the explorer on 127.0.0.1
// until interrupted.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startExplorer } from "./server";

export const DEFAULT_EXPLORER_PORT = 8787;

export async function exploreCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, "data-dir": { type: "string" } },
    strict: true,
  });
  const port = values.port === undefined ? DEFAULT_EXPLORER_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number (0-65535), not ${values.port}`);
    return 2;
  }
  const dataDir = resolve(values["data-dir"] ?? process.env.SPOTIFY_LAKE_DATA_DIR ?? ".local");
  const explorer = await startExplorer(dataDir, port);
  console.log(`Explorer of ${dataDir}: ${explorer.url}  (read-only; Ctrl-C stops it)`);
  await new Promise<void>((stop) => process.once("SIGINT", stop));
  await explorer.close();
  return 0;
}
