// `npm run doctor`: what this app may read, asked of Spotify itself. `GET /v1/me` says whose
// authorization the credentials hold; then, for each configured playlist, its metadata and one
// item say whether the run can read its items, and if not, why (another owner and not
// collaborative, Spotify-owned editorial, not found). Spotify's plain-text 403s (a lapsed
// Premium, a user not on the app's allowlist) are quoted verbatim and explained. Also the app
// mode and when the refresh token expires (six months after the user authorized).

import type { SpotifyAppMode, SpotifyCredentials } from "../functions/commons/spotify";
import { isObject } from "../functions/commons/json";
import type { SpotifyClient } from "../functions/core/spotify/client";

/** Refresh tokens expire this long after the user authorized (Spotify, June 2026). */
const REFRESH_TOKEN_LIFETIME_MONTHS = 6;

/** Spotify's plain-text refusals, and what each means for this app. */
const PLAIN_TEXT_REFUSALS: readonly [RegExp, string][] = [
  [
    /premium subscription required/i,
    "the app owner's Spotify Premium has lapsed: since February 2026 a development-mode app " +
      "works only while its owner has Premium",
  ],
  [
    /user not (approved|registered)/i,
    "this Spotify user is not on the app's allowlist: add them under User Management in the " +
      "developer dashboard (at most 5 users in development mode)",
  ],
];

export type Verdict = "readable" | "unreadable" | "not found";

export interface PlaylistCheck {
  playlistId: string;
  verdict: Verdict;
  name?: string;
  /** Why not, or whose it is. */
  reason: string;
}

export interface DoctorReport {
  lines: string[];
  playlists: PlaylistCheck[];
  /** Every playlist readable and the user known (or not needed). */
  ok: boolean;
}

const text = (body: Uint8Array) => new TextDecoder().decode(body).trim();

/** Spotify's words for a refusal: the JSON message, or a plain-text body verbatim, explained. */
function refusal(response: { status: number; json: unknown; body: Uint8Array }): string {
  const json = response.json;
  if (isObject(json) && isObject(json.error) && typeof json.error.message === "string") {
    return `${response.status} ${json.error.message}`;
  }
  const body = text(response.body).slice(0, 200);
  const meaning = PLAIN_TEXT_REFUSALS.find(([pattern]) => pattern.test(body))?.[1];
  return `${response.status} "${body}"${meaning ? ` — ${meaning}` : ""}`;
}

export function refreshTokenExpiry(authorizedAt: string): Date {
  const at = new Date(authorizedAt);
  const expiry = new Date(at);
  expiry.setUTCMonth(at.getUTCMonth() + REFRESH_TOKEN_LIFETIME_MONTHS);
  return expiry;
}

function expiryLine(credentials: SpotifyCredentials, now: Date): string {
  if (!credentials.refreshToken) return "Refresh token: none (client credentials: no user)";
  if (!credentials.authorizedAt) {
    return "Refresh token: expiry unknown (no authorizedAt stored): run `npm run authorize` to record it";
  }
  const expiry = refreshTokenExpiry(credentials.authorizedAt);
  const days = Math.floor((expiry.getTime() - now.getTime()) / 86_400_000);
  const when = expiry.toISOString().slice(0, 10);
  return days < 0
    ? `Refresh token: expired on ${when}: run \`npm run authorize\` again`
    : `Refresh token: expires on ${when} (in ${days} days; authorized ${credentials.authorizedAt})`;
}

interface Me {
  id: string;
  label: string;
}

async function checkPlaylist(
  client: SpotifyClient,
  playlistId: string,
  me: Me | undefined,
): Promise<PlaylistCheck> {
  const metadata = await client.inspect(`/playlists/${playlistId}`);
  if (metadata.status === 404) {
    return {
      playlistId,
      verdict: "not found",
      reason: playlistId.startsWith("37i9dQZ")
        ? "a Spotify-owned editorial or algorithmic playlist: development-mode apps cannot read them since November 2024"
        : "no such playlist (deleted, or a wrong id)",
    };
  }
  if (metadata.status !== 200 || !isObject(metadata.json)) {
    return { playlistId, verdict: "unreadable", reason: refusal(metadata) };
  }
  const playlist = metadata.json;
  const name = typeof playlist.name === "string" ? playlist.name : undefined;
  const owner = isObject(playlist.owner) ? playlist.owner : {};
  const ownerId = typeof owner.id === "string" ? owner.id : "?";
  const ownerLabel =
    typeof owner.display_name === "string" ? `${owner.display_name} (${ownerId})` : ownerId;
  const collaborative = playlist.collaborative === true;
  const items = await client.inspect(`/playlists/${playlistId}/items?limit=1`);
  const base = { playlistId, ...(name !== undefined ? { name } : {}) };
  if (items.status === 200) {
    const whose =
      me && ownerId === me.id
        ? "yours"
        : collaborative
          ? `collaborative, owner ${ownerLabel}`
          : `owner ${ownerLabel}`;
    return { ...base, verdict: "readable", reason: whose };
  }
  if (items.status !== 403 || !isObject(items.json)) {
    return { ...base, verdict: "unreadable", reason: refusal(items) };
  }
  const why =
    ownerId === "spotify"
      ? "owned by Spotify (editorial): development-mode apps cannot read its items"
      : !me
        ? "a client-credentials token has no user: run `npm run authorize`"
        : collaborative
          ? `collaborative, but ${me.label} is not one of its collaborators (owner ${ownerLabel})`
          : `owner ${ownerLabel} is someone else and it is not collaborative: development mode serves items only for playlists ${me.label} owns or collaborates on`;
  return { ...base, verdict: "unreadable", reason: `${why} (${refusal(items)})` };
}

export async function runDoctor(options: {
  client: SpotifyClient;
  credentials: SpotifyCredentials;
  appMode: SpotifyAppMode;
  playlists: readonly string[];
  now?: Date;
}): Promise<DoctorReport> {
  const { client, credentials } = options;
  const lines = [
    `App mode: ${options.appMode}${options.appMode === "development" ? " (items only for playlists the authorizing user owns or collaborates on)" : ""}`,
    expiryLine(credentials, options.now ?? new Date()),
  ];
  let me: Me | undefined;
  let ok = true;
  if (credentials.refreshToken) {
    const answer = await client.inspect("/me");
    if (answer.status === 200 && isObject(answer.json) && typeof answer.json.id === "string") {
      const name = typeof answer.json.display_name === "string" ? answer.json.display_name : "";
      me = { id: answer.json.id, label: name ? `${name} (${answer.json.id})` : answer.json.id };
      lines.push(`Authorized user: ${me.label}`);
    } else {
      ok = false;
      lines.push(`Authorized user: unknown: GET /v1/me answered ${refusal(answer)}`);
    }
  } else {
    lines.push("Authorized user: none (client credentials)");
  }
  const playlists: PlaylistCheck[] = [];
  lines.push("", `Playlists (${options.playlists.length}):`);
  for (const playlistId of options.playlists) {
    const check = await checkPlaylist(client, playlistId, me);
    playlists.push(check);
    const mark = check.verdict === "readable" ? "✔" : "✘";
    const label = check.name !== undefined ? ` ${JSON.stringify(check.name)}` : "";
    lines.push(`  ${mark} ${playlistId}${label}: ${check.verdict}: ${check.reason}`);
  }
  ok &&= playlists.every((p) => p.verdict === "readable");
  return { lines, playlists, ok };
}
