// `npm run authorize`: Spotify's authorization-code flow, once, on this machine. It listens on
// a loopback redirect URI (Spotify accepts plain http only for 127.0.0.1 / [::1] literals,
// never `localhost`), prints the consent URL (and opens a browser when there is one), waits
// for ONE callback, checks its `state`, exchanges the code (PKCE when no client secret is
// configured, else the secret), and stores the user's refresh token in the credentials file
// (0600). Nothing it prints holds the client secret, the code or a token.

import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { SPOTIFY_SCOPES, type SpotifyCredentials } from "../functions/commons/spotify";
import { writeCredentialsFile } from "./credentials-file";

export interface AuthorizeOptions {
  clientId: string;
  /** Configured: the code is exchanged with it; absent: PKCE. */
  clientSecret?: string;
  /** Spotify: https://accounts.spotify.com (the emulator's url in tests). */
  accountsBaseUrl: string;
  /** e.g. http://127.0.0.1:8888/callback; must be registered for the app, exactly. */
  redirectUri: string;
  /** Where the credentials are stored (0600), unless `save` stores them elsewhere. */
  credentialsFile: string;
  /** Stores the credentials instead of the file (e.g. into a stage's secret: ops/aws/spotify-secret.ts). */
  save?: (credentials: SpotifyCredentials) => Promise<void>;
  /** How long to wait for the callback. */
  timeoutMs: number;
  /** Called with the consent URL once the callback listens (opens a browser, or a test's fetch). */
  open: (url: string) => void | Promise<void>;
  print: (line: string) => void;
  now?: () => Date;
}

/** The flow stopped; the message says why and what to do, and holds no secret. */
export class AuthorizationFailed extends Error {
  override readonly name = "AuthorizationFailed";
}

/** Spotify's rule for plain-http redirect URIs: loopback IP literals only. */
export function checkRedirectUri(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AuthorizationFailed(`--redirect-uri ${JSON.stringify(uri)} is not a URL`);
  }
  if (url.hostname === "localhost") {
    throw new AuthorizationFailed(
      "Spotify no longer accepts `localhost` in redirect URIs: use http://127.0.0.1:<port>/callback " +
        "(and register exactly that in your app's settings)",
    );
  }
  if (url.protocol !== "http:" || !["127.0.0.1", "[::1]"].includes(url.hostname) || !url.port) {
    throw new AuthorizationFailed(
      `the redirect URI must be http://127.0.0.1:<port>/<path> (or http://[::1]:<port>/<path>), got ${uri}`,
    );
  }
  return url;
}

const PAGE = (text: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>spotify-lake</title></head><body><p>${text}</p></body></html>`;

/** Waits for one request on the callback path; other paths (a favicon) get 404. */
function oneCallback(server: Server, path: string, timeoutMs: number): Promise<URLSearchParams> {
  return new Promise((resolveCallback, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new AuthorizationFailed(
            `no answer from Spotify's consent page within ${Math.round(timeoutMs / 1000)} s: ` +
              "open the URL above in a browser, or run again with a longer --timeout",
          ),
        ),
      timeoutMs,
    );
    let answered = false;
    server.on("request", (req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== path || answered) {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
        return;
      }
      answered = true;
      clearTimeout(timer);
      const error = url.searchParams.get("error");
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(
          PAGE(
            error
              ? "Authorization not granted. You can close this tab."
              : "spotify-lake is authorized. You can close this tab.",
          ),
        );
      resolveCallback(url.searchParams);
    });
  });
}

/** Spotify shows an error page instead of redirecting for an unknown client or redirect URI. */
async function refusedBeforeConsent(url: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "manual" });
  } catch {
    return undefined; // no network to check with: the browser will show it
  }
  if (response.status < 400) return undefined;
  const text = await response.text();
  return /INVALID_CLIENT: [^<\n]*/.exec(text)?.[0] ?? `HTTP ${response.status}`;
}

export async function authorize(options: AuthorizeOptions): Promise<SpotifyCredentials> {
  const { clientId, clientSecret, print } = options;
  const redirect = checkRedirectUri(options.redirectUri);
  const state = randomBytes(24).toString("base64url");
  // 64 random bytes: an 86-character verifier, inside PKCE's 43-128.
  const verifier = randomBytes(64).toString("base64url");
  const consent = new URL(`${options.accountsBaseUrl.replace(/\/+$/, "")}/authorize`);
  consent.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: options.redirectUri,
    scope: SPOTIFY_SCOPES.join(" "),
    state,
    ...(clientSecret
      ? {}
      : {
          code_challenge_method: "S256",
          code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        }),
  }).toString();

  const refusal = await refusedBeforeConsent(consent.toString());
  if (refusal) {
    throw new AuthorizationFailed(
      refusal.includes("redirect URI")
        ? `Spotify refused the redirect URI (${refusal}). Register exactly ${options.redirectUri} ` +
            "under Redirect URIs in your app's settings (https://developer.spotify.com/dashboard), " +
            "or pass --redirect-uri with one that is registered."
        : `Spotify refused the authorization request (${refusal}): check the client id.`,
    );
  }

  const server = createServer();
  await new Promise<void>((ready, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        new AuthorizationFailed(
          `cannot listen on ${redirect.host} for the callback (${error.code ?? error.message}): ` +
            "choose another --port (and register that redirect URI)",
        ),
      ),
    );
    server.listen(Number(redirect.port), redirect.hostname.replace(/^\[|\]$/g, ""), () => ready());
  });
  let params: URLSearchParams;
  try {
    const callback = oneCallback(server, redirect.pathname, options.timeoutMs);
    print(`Open this URL in a browser and allow access (scopes: ${SPOTIFY_SCOPES.join(", ")}):`);
    print(`  ${consent.toString()}`);
    print(`Waiting for Spotify to redirect to ${options.redirectUri} ...`);
    await options.open(consent.toString());
    params = await callback;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((closed) => server.close(() => closed()));
  }

  if (params.get("state") !== state) {
    throw new AuthorizationFailed(
      "the callback's state does not match this request's: ignored (a stale tab, or a forged " +
        "request); run `npm run authorize` again",
    );
  }
  const error = params.get("error");
  if (error === "access_denied") {
    throw new AuthorizationFailed(
      "access was denied on Spotify's consent page; nothing was stored. Run again and choose Agree.",
    );
  }
  if (error) throw new AuthorizationFailed(`Spotify answered the consent with error=${error}`);
  const code = params.get("code");
  if (!code) throw new AuthorizationFailed("the callback carried neither a code nor an error");

  const credentials = await exchangeCode(options, code, verifier);
  if (options.save) await options.save(credentials);
  else writeCredentialsFile(options.credentialsFile, credentials);
  return credentials;
}

async function exchangeCode(
  options: AuthorizeOptions,
  code: string,
  verifier: string,
): Promise<SpotifyCredentials> {
  const { clientId, clientSecret } = options;
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: options.redirectUri,
  });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (clientSecret) {
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  } else {
    form.set("client_id", clientId);
    form.set("code_verifier", verifier);
  }
  const response = await fetch(`${options.accountsBaseUrl.replace(/\/+$/, "")}/api/token`, {
    method: "POST",
    headers,
    body: form.toString(),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof json.refresh_token !== "string") {
    // The accounts service's `{error, error_description}` never echoes the code or a secret.
    const reason = [json.error, json.error_description].filter((x) => typeof x === "string");
    throw new AuthorizationFailed(
      `Spotify refused to exchange the code: ${response.status} ${reason.join(": ") || "(no reason given)"}`,
    );
  }
  const scopes =
    typeof json.scope === "string" ? json.scope.split(" ").filter(Boolean) : [...SPOTIFY_SCOPES];
  const missing = SPOTIFY_SCOPES.filter((s) => !scopes.includes(s));
  if (missing.length > 0) {
    options.print(
      `Warning: Spotify did not grant ${missing.join(", ")}; some playlists may be unreadable.`,
    );
  }
  return {
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    refreshToken: json.refresh_token,
    authorizedAt: (options.now ?? (() => new Date()))().toISOString(),
    scopes,
  };
}
