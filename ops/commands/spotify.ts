// The Spotify account verbs: authorize and doctor, into and with the stage's secret
// (locally: the credentials file, through local/authorize-command.ts and doctor-command.ts).

import { Command } from "commander";
import { runLocalCommand } from "../../local/cli";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import { authorizeIntoSecret, doctorWithSecret } from "../aws/spotify-secret";
import {
  type Act,
  type Flags,
  givenArgv,
  log,
  playlistsOf,
  positiveInteger,
  stageOf,
  STACK_KEYS,
  withSpotifyTarget,
  withStack,
} from "../command-options";

export function addSpotifyCommands(program: Command, act: Act): void {
  const authorizeCommand = withStack(
    program
      .command("authorize")
      .description(
        "authorize this app with your Spotify account (into the stage's secret with --stage)",
      ),
    ["secretId"],
  )
    .option("--port <n>", "loopback port of the redirect URI (default 8888)")
    .option("--redirect-uri <uri>", "the full redirect URI (http://127.0.0.1:<port>/<path>)")
    .option("--credentials <file>", "the credentials file (local)")
    .option("--timeout <seconds>", "how long to wait for the consent (default 300)")
    .option("--no-browser", "only print the URL")
    .option("--accounts-url <url>", "the accounts service (default https://accounts.spotify.com)")
    .option("--emulator", "authorize against a local emulator (its scripted user consents)");
  authorizeCommand.action(
    act(async (flags: Flags) => {
      const target = stageOf(flags);
      if (!target) return runLocalCommand("authorize", givenArgv(authorizeCommand, STACK_KEYS));
      const secretId = target.stack.output("secretArn");
      const port = positiveInteger(flags.port ?? "8888", "--port");
      const timeoutSeconds = positiveInteger(flags.timeout ?? "300", "--timeout");
      const emulator = flags.emulator ? await startSpotifyEmulator() : undefined;
      try {
        const clientId = emulator?.credentials.clientId ?? process.env.SPOTIFY_CLIENT_ID;
        const clientSecret =
          emulator?.credentials.clientSecret ?? process.env.SPOTIFY_CLIENT_SECRET;
        const stored = await authorizeIntoSecret({
          secrets: target.secrets(),
          region: target.stack.region,
          secretId,
          ...(clientId ? { clientId } : {}),
          ...(clientSecret ? { clientSecret } : {}),
          accountsBaseUrl:
            emulator?.accountsBaseUrl ??
            String(flags.accountsUrl ?? "https://accounts.spotify.com"),
          redirectUri: String(flags.redirectUri ?? `http://127.0.0.1:${port}/callback`),
          timeoutMs: timeoutSeconds * 1000,
          open: emulator ? async (url) => void (await fetch(url).catch(() => undefined)) : () => {},
          print: log,
        });
        log(
          `Authorized (${stored.clientSecret ? "client secret" : "PKCE"}; scopes ${stored.scopes?.join(" ")}).`,
        );
        log(`Stored in secret ${secretId}; the refresh token expires in 6 months.`);
        log(`Next: spotify-lake doctor --stage ${target.stack.stage}`);
        return 0;
      } finally {
        await emulator?.close();
      }
    }),
  );

  const doctorCommand = withSpotifyTarget(
    withStack(
      program
        .command("doctor")
        .description(
          "check which playlists this app can read, and why not (the secret's credentials with --stage)",
        ),
      ["secretId"],
    ),
  ).option("--playlists <ids>", "playlists to check (default: the stage's, or the sample's)");
  doctorCommand.action(
    act(async (flags: Flags) => {
      const target = stageOf(flags);
      if (!target) {
        return runLocalCommand(
          "doctor",
          givenArgv(doctorCommand, [...STACK_KEYS, "unavailablePlaylists", "dataDir"]),
        );
      }
      const report = await doctorWithSecret({
        secrets: target.secrets(),
        region: target.stack.region,
        secretId: target.stack.output("secretArn"),
        appMode: target.stack.appMode,
        playlists: playlistsOf(flags.playlists) ?? target.stack.playlists,
      });
      for (const line of report.lines) log(line);
      if (report.rotatedRefreshTokenStored)
        log("Spotify rotated the refresh token: the new one is stored in the secret.");
      return report.ok ? 0 : 1;
    }),
  );
}
