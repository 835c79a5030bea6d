// Talking to the local Spotify emulator over HTTP the way a client does, for the emulator's own
// tests: start emulators on the shared sample catalogue (closed when their test ends),
// request tokens, GET with a bearer token, follow `next` to the end, and look entries up in
// the catalogue the emulator serves.

import { expect, onTestFinished } from "vitest";
import { generateSampleCatalogue } from "../../local/spotify-emulator/sample-data";
import {
  startSpotifyEmulator,
  type SpotifyEmulator,
  type SpotifyEmulatorOptions,
} from "../../local/spotify-emulator/server";
import type { SpotifyCatalogue, SpotifyTrack } from "../../local/spotify-emulator/types";

/** A Spotify id: 22 base-62 characters. */
export const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;

// One catalogue per test file: generation is deterministic, so sharing it hides nothing.
export const sample = generateSampleCatalogue();

/** An emulator serving `sample` (unless told otherwise); call it in a test, which closes it when done. */
export async function start(options: SpotifyEmulatorOptions = {}): Promise<SpotifyEmulator> {
  const emulator = await startSpotifyEmulator({ catalogue: sample, ...options });
  onTestFinished(() => emulator.close());
  return emulator;
}

/** An HTTP Basic authorization header. */
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

export async function requestToken(
  emulator: SpotifyEmulator,
  form: Record<string, string> = { grant_type: "client_credentials" },
  authorization = basic(emulator.credentials.clientId, emulator.credentials.clientSecret),
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.accountsBaseUrl}/api/token`, {
    method: "POST",
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A token of the emulator's authorizing user (refresh grant): what reads playlist items. */
export async function accessToken(emulator: SpotifyEmulator): Promise<string> {
  const { refreshToken } = emulator.credentials;
  const { body } = await requestToken(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
  });
  return body.access_token as string;
}

/** A client-credentials token: the app alone, no user. */
export async function appAccessToken(emulator: SpotifyEmulator): Promise<string> {
  const { body } = await requestToken(emulator);
  return body.access_token as string;
}

export interface ApiResponse {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  body: any;
  headers: Headers;
}

/** A GET of the emulator's API with a bearer token; the body parsed, the text kept for byte comparisons. */
export async function get(emulator: SpotifyEmulator, token: string, pathAndQuery: string) {
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  const result: ApiResponse = {
    status: response.status,
    text,
    body: /^\s*[[{]/.test(text) ? JSON.parse(text) : text,
    headers: response.headers,
  };
  return result;
}

/** Follows `next` like a real client: the link's path and query on the emulator's own base. */
export async function allEntries(emulator: SpotifyEmulator, token: string, first: string) {
  const entries: unknown[] = [];
  const pages: string[] = [];
  let next: string | null = first;
  while (next) {
    const link: URL = new URL(next, emulator.url);
    pages.push(`${link.pathname}${link.search}`);
    const page = await get(emulator, token, `${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.items);
    next = page.body.next;
  }
  return { entries, pages };
}

export const playlistOf = (catalogue: SpotifyCatalogue, id: string) =>
  catalogue.playlists.find((p) => p.playlist.id === id)!;

/** The first track (not a local file) of a sample playlist. */
export const firstTrack = (id: string) =>
  playlistOf(sample, id).entries.find((e) => e.item?.type === "track" && !e.is_local)!
    .item as SpotifyTrack;
