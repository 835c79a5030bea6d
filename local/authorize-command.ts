// `npm run authorize [-- options]`: the command line of local/authorize.ts. The client id and
// secret come from the environment (a secret on the command line would land in the shell's
// history), the redirect URI from --port or --redirect-uri; --emulator authorizes against a
// local emulator whose scripted user consents at once (a dry run of the whole flow).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { AuthorizationFailed, authorize } from "./authorize";
import { credentialsPath } from "./credentials-file";
import { startSpotifyEmulator } from "./spotify-emulator/server";

const USAGE = `Usage: npm run authorize [-- options]

Runs Spotify's authorization-code flow once and stores the refresh token in the credentials
file (mode 0600), which npm start and npm run doctor read. Needs SPOTIFY_CLIENT_ID; with
SPOTIFY_CLIENT_SECRET the code is exchanged with the secret, without it through PKCE.
Register the redirect URI (default http://127.0.0.1:8888/callback) in your app's settings.

Options:
  --port <n>              loopback port of the redirect URI (default 8888)
  --redirect-uri <uri>    the full redirect URI (http://127.0.0.1:<port>/<path>; never localhost)
  --credentials <file>    where to store (default: SPOTIFY_LAKE_CREDENTIALS, or
                          ~/.config/spotify-lake/credentials.json)
  --timeout <seconds>     how long to wait for the consent (default 300)
  --no-browser            only print the URL
  --accounts-url <url>    the accounts service (default https://accounts.spotify.com)
  --emulator              authorize against a local emulator (its scripted user consents)`;

/** A browser to open, when this machine has one and this is not a test. */
function browserOpener(): ((url: string) => void) | undefined {
  if (process.env.VITEST || process.env.CI || !process.stdout.isTTY) return undefined;
  const command =
    process.platform === "darwin"
      ? "open"
      : process.platform === "win32"
        ? "explorer"
        : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
          ? "xdg-open"
          : undefined;
  if (!command) return undefined;
  return (url) => {
    const child = spawn(command, [url], { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
  };
}

export async function authorizeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "8888" },
      "redirect-uri": { type: "string" },
      credentials: { type: "string" },
      timeout: { type: "string", default: "300" },
      "no-browser": { type: "boolean", default: false },
      "accounts-url": { type: "string" },
      emulator: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    console.error(`--timeout must be a positive number of seconds, got ${values.timeout}`);
    return 2;
  }
  const port = Number(values.port);
  if (!values["redirect-uri"] && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    console.error(`--port must be a port number, got ${values.port}`);
    return 2;
  }
  const emulator = values.emulator ? await startSpotifyEmulator() : undefined;
  const clientId = emulator?.credentials.clientId ?? process.env.SPOTIFY_CLIENT_ID;
  const clientSecret = emulator?.credentials.clientSecret ?? process.env.SPOTIFY_CLIENT_SECRET;
  if (!clientId) {
    console.error(
      "Set SPOTIFY_CLIENT_ID (and SPOTIFY_CLIENT_SECRET, or leave it unset for PKCE): your app's " +
        "client id from https://developer.spotify.com/dashboard",
    );
    return 2;
  }
  const file = credentialsPath(values.credentials);
  const open = emulator
    ? // The emulator's user consents at once: following its redirect is the whole visit.
      async (url: string) => void (await fetch(url).catch(() => undefined))
    : values["no-browser"]
      ? undefined
      : browserOpener();
  try {
    const stored = await authorize({
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      accountsBaseUrl:
        emulator?.accountsBaseUrl ?? values["accounts-url"] ?? "https://accounts.spotify.com",
      redirectUri: values["redirect-uri"] ?? `http://127.0.0.1:${port}/callback`,
      credentialsFile: file,
      timeoutMs: timeoutSeconds * 1000,
      open: open ?? (() => {}),
      print: (line) => console.log(line),
    });
    console.log(
      `Authorized (${stored.clientSecret ? "client secret" : "PKCE"}; scopes ${stored.scopes?.join(" ")}).`,
    );
    console.log(`Stored in ${file} (readable by you only); the refresh token expires in 6 months.`);
    console.log("Next: npm run doctor -- --live, then npm start -- --live");
    return 0;
  } catch (error) {
    if (error instanceof AuthorizationFailed) {
      console.error(`Not authorized: ${error.message}`);
      if (!existsSync(file)) console.error("Nothing was stored.");
      return 1;
    }
    throw error;
  } finally {
    await emulator?.close();
  }
}
