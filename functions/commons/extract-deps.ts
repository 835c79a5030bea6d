// What the two extract Lambdas (ExtractPlaylist, ExtractArtists) are built from, in one place
// both handlers import, so neither imports the other. Two layers: ExtractStepDeps is the
// AWS-free part that the core's extract-step wiring (core/extract/extract-step.ts) takes;
// ExtractDeps adds the Middy middleware that puts the Spotify secret on the context. It lives
// in commons because it names only commons types and both handlers and the core sit above it.

import type { MiddlewareObj } from "@middy/core";
import type { ConditionalObjectStore, LeaseHolderLiveness } from "./ports";
import type { SpotifyClientSettings, SpotifyCredentialsStore } from "./spotify";
import type { SpotifyContext } from "./spotify-credentials";

export interface ExtractStepDeps {
  rawStore: ConditionalObjectStore;
  /** How the step's Spotify client reaches Spotify; every field has a default. */
  spotifySettings?: SpotifyClientSettings;
  /**
   * Where the credentials live between invocations (AWS: the Spotify secret). With it, the
   * run's invocations share one access token and refresh it once (under a lease in the raw
   * bucket), and a rotated refresh token is stored before it is used; without it, each
   * client refreshes alone and a rotation is only reported.
   */
  credentialsStore?: SpotifyCredentialsStore;
  /** Locally only: tells a snapshot lease whose holder process died (snapshot-lease.ts). */
  leaseLiveness?: LeaseHolderLiveness;
  now?: () => Date;
  /** Stored artist details younger than this are used instead of a request (default 24). */
  artistMaxAgeHours?: number;
}

export interface ExtractDeps extends ExtractStepDeps {
  spotifySecret: MiddlewareObj<unknown, unknown, Error, SpotifyContext>;
}
