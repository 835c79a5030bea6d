// What the emulator's parts answer with, before the HTTP shell sends it: a status, a body and
// extra headers. The token service, the catalogue routes and replay build replies and never
// touch node:http, so each can be read (and tested) without a server.

import type { SpotifyApiErrorBody } from "./types";

export interface Reply {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** A `/v1` request as the shell parsed it. */
export interface ApiRequest {
  method: string;
  path: string;
  /** Query string without `?`, as sent. */
  query: string;
  params: URLSearchParams;
  /** Whom the accepted bearer token speaks for: a user (authorization code) or only the app. */
  token?: "user" | "app";
}

/** Answers `/v1` requests whose bearer token was accepted: the catalogue routes or a replay. */
export type ApiRoutes = (request: ApiRequest) => Reply;

/** Spotify's error body for `/v1` endpoints. */
export const errorBody = (status: number, message: string): string =>
  JSON.stringify({ error: { status, message } } satisfies SpotifyApiErrorBody);

export const errorReply = (status: number, message: string): Reply => ({
  status,
  body: errorBody(status, message),
});

export const jsonReply = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
});
