// What the two extract Lambdas (ExtractPlaylist, ExtractArtists) are built from, in one place
// both handlers import, so neither imports the other. Two layers: ExtractStepDeps is the
// AWS-free part that the core's extract-step wiring (core/extract/extract-step.ts) takes;
// ExtractDeps adds the Middy middleware that puts the Spotify secret on the context. It lives
// in commons because it names only commons types and both handlers and the core sit above it.

import type { MiddlewareObj } from "@middy/core";
import type { ConditionalObjectStore } from "./ports";
import type { SpotifyClientSettings, SpotifyCredentials } from "./spotify";
import type { SpotifyContext } from "./spotify-credentials";

export interface ExtractStepDeps {
  rawStore: ConditionalObjectStore;
  /** How the step's Spotify client reaches Spotify; every field has a default. */
  spotifySettings?: SpotifyClientSettings;
  /** Stores a refresh token Spotify rotated; without it the rotation is only reported. */
  saveRotatedCredentials?: (credentials: SpotifyCredentials) => Promise<void>;
  now?: () => Date;
}

export interface ExtractDeps extends ExtractStepDeps {
  spotifySecret: MiddlewareObj<unknown, unknown, Error, SpotifyContext>;
}
