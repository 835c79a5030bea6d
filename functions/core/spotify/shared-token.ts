// One token refresh per run, however many Lambdas extract at once. The Map runs four
// ExtractPlaylist invocations in parallel, then ExtractArtists; each has its own client, and
// with refresh-token rotation (single-use for PKCE clients) two concurrent refreshes would
// race and one would spend the token the other relies on. So the credentials store (the
// Spotify secret) also holds the current access token and its expiry: an invocation uses it
// while it is valid, and only the holder of a short lease in the raw bucket refreshes; the
// others wait for the token it stores. A rotated refresh token is stored before the access
// token that came with it is used.

import { SpotifyTransientError } from "../../commons/errors";
import { rawKeys } from "../../commons/keys";
import type { ConditionalObjectStore } from "../../commons/ports";
import type { SpotifyCredentials, SpotifyCredentialsStore } from "../../commons/spotify";

/**
 * A refresh is one exchange (with its in-process retries, under a minute); a lease older
 * than this was abandoned by an invocation that died, and the next one takes it over.
 */
export const TOKEN_REFRESH_LEASE_MS = 60_000;
/**
 * How long a waiting invocation polls the store for the holder's token: past the lease, so
 * an abandoned lease is taken over rather than failing the wait (the extract Lambdas run
 * for 120 s and more).
 */
const WAIT_FOR_REFRESH_MS = TOKEN_REFRESH_LEASE_MS + 10_000;
const POLL_MS = 250;

/** An access token as the token source keeps it; `expiresAt` already has the renewal margin. */
export interface IssuedToken {
  value: string;
  expiresAt: number;
  /** A new refresh token Spotify issued with it. */
  refreshToken?: string;
}

/** The grant itself, with the refresh token to spend (undefined: client credentials). */
export type TokenGrant = (refreshToken: string | undefined) => Promise<IssuedToken>;

export interface SharedTokenOptions {
  store: SpotifyCredentialsStore;
  leaseStore: ConditionalObjectStore;
  /** Names this client in the lease. */
  holder: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

interface Lease {
  holder: string;
  expiresAt: number;
}

export class SharedToken {
  constructor(private readonly options: SharedTokenOptions) {}

  /**
   * A valid access token: the stored one, or one this invocation refreshed under the lease
   * and stored, or one another invocation stored while this one waited. `refused` are tokens
   * Spotify answered 401 to, never to be taken from the store again.
   */
  async obtain(grant: TokenGrant, refused: ReadonlySet<string>): Promise<IssuedToken> {
    const { store, now, sleep } = this.options;
    const deadline = now() + WAIT_FOR_REFRESH_MS;
    for (;;) {
      const stored = usable(await store.load(), refused, now());
      if (stored) return stored;
      if (await this.tryLease()) {
        try {
          // Another invocation may have stored a token between the read and the lease.
          const current = await store.load();
          const fresh = usable(current, refused, now());
          if (fresh) return fresh;
          const issued = await grant(current.refreshToken);
          await store.save(withToken(current, issued));
          return issued;
        } finally {
          await this.release();
        }
      }
      if (now() >= deadline) {
        throw new SpotifyTransientError(
          `another invocation held the Spotify token refresh lease for ${WAIT_FOR_REFRESH_MS / 1000} s without storing a token`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  private async tryLease(): Promise<boolean> {
    const { leaseStore, holder, now } = this.options;
    const key = rawKeys.tokenRefreshLease;
    const current = await leaseStore.getVersioned(key);
    const held = current && parseLease(current.body);
    if (held && held.holder !== holder && held.expiresAt > now()) return false;
    const lease: Lease = { holder, expiresAt: now() + TOKEN_REFRESH_LEASE_MS };
    return leaseStore.putIfUnchanged(key, JSON.stringify(lease), current?.etag);
  }

  private async release(): Promise<void> {
    const { leaseStore, holder } = this.options;
    const current = await leaseStore.getVersioned(rawKeys.tokenRefreshLease);
    // Only our own lease: one that ran out and was taken over belongs to its new holder.
    if (current && parseLease(current.body)?.holder === holder) {
      await leaseStore.delete([rawKeys.tokenRefreshLease]);
    }
  }
}

function parseLease(body: Uint8Array): Lease | undefined {
  try {
    const lease = JSON.parse(new TextDecoder().decode(body)) as Partial<Lease>;
    if (typeof lease.holder === "string" && typeof lease.expiresAt === "number") {
      return lease as Lease;
    }
  } catch {
    // A corrupt lease protects nothing: take it over.
  }
  return undefined;
}

function usable(
  credentials: SpotifyCredentials,
  refused: ReadonlySet<string>,
  now: number,
): IssuedToken | undefined {
  const { accessToken, accessTokenExpiresAt } = credentials;
  if (!accessToken || !accessTokenExpiresAt || refused.has(accessToken)) return undefined;
  const expiresAt = Date.parse(accessTokenExpiresAt);
  return expiresAt > now ? { value: accessToken, expiresAt } : undefined;
}

function withToken(credentials: SpotifyCredentials, issued: IssuedToken): SpotifyCredentials {
  return {
    ...credentials,
    ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}),
    accessToken: issued.value,
    accessTokenExpiresAt: new Date(issued.expiresAt).toISOString(),
  };
}
