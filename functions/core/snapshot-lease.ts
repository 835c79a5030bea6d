// A lease on one snapshot hour, so two executions of the same snapshot (a console rerun while
// the scheduled run is still going) never interleave their writes and leave a mix of both.
//
// Every step that writes (ExtractPlaylist, ExtractArtists, TransformSnapshot) holds the lease
// for its invocation: it takes it when free, renews it when its own, and stops with
// SnapshotLockedError when another execution's lease is live. The lease outlives any single
// Lambda invocation (15 min at most), so it cannot expire under a running writer; a redrive
// keeps the execution ARN and so keeps the lease. The crawl step, which publishes what the
// transform wrote, renews it too and releases it once the version is published; a step that
// fails for good releases it at once; otherwise (a crash, a timeout) it runs out. Locally a
// lease also names its holder process (host and pid): a rerun on the same host takes over a
// lease whose holder has provably died instead of waiting for it to run out.

import { PipelineError, SnapshotLockedError } from "../commons/errors";
import { rawKeys } from "../commons/keys";
import type {
  ConditionalObjectStore,
  LeaseHolderLiveness,
  LeaseHolderProcess,
} from "../commons/ports";
import type { SnapshotHour } from "../commons/snapshot";

export const LEASE_TTL_MS = 20 * 60 * 1000;

interface Lease {
  snapshot: string;
  executionId: string;
  expiresAt: string;
  /** Locally only: the process that holds it. */
  holder?: LeaseHolderProcess;
}

const isHolder = (value: unknown): value is LeaseHolderProcess =>
  typeof (value as LeaseHolderProcess | undefined)?.host === "string" &&
  Number.isInteger((value as LeaseHolderProcess).pid);

function parseLease(body: Uint8Array): Lease | undefined {
  try {
    const lease = JSON.parse(new TextDecoder().decode(body)) as Partial<Lease>;
    if (typeof lease.executionId === "string" && typeof lease.expiresAt === "string") {
      return lease as Lease;
    }
  } catch {
    // A corrupt lease protects nothing: treat it as expired and take it over.
  }
  return undefined;
}

export async function holdSnapshotLease(
  store: ConditionalObjectStore,
  snapshot: SnapshotHour,
  executionId: string,
  now: Date,
  ttlMs = LEASE_TTL_MS,
  liveness?: LeaseHolderLiveness,
): Promise<void> {
  const key = rawKeys.snapshotLease(snapshot);
  const wanted: Lease = {
    snapshot: snapshot.iso,
    executionId,
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    ...(liveness ? { holder: liveness.self } : {}),
  };
  // A lost race re-reads: the winner is either another execution (stop) or a parallel
  // invocation of this one (the Map's iterations), whose fresh lease is as good as ours.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.getVersioned(key);
    const lease = current && parseLease(current.body);
    const expiresAt = lease ? Date.parse(lease.expiresAt) : 0;
    // A holder that provably died (locally: its process is gone) will never write again.
    const holderDead =
      liveness !== undefined && isHolder(lease?.holder) && liveness.isDead(lease.holder);
    if (lease && lease.executionId !== executionId && expiresAt > now.getTime() && !holderDead) {
      throw new SnapshotLockedError(
        `Snapshot ${snapshot.iso} is being written by execution ${lease.executionId} ` +
          `(lease until ${lease.expiresAt}); redrive or rerun after it ends`,
      );
    }
    // Ours with more than half its time left (and held by this process): no need to write it
    // again.
    const sameHolder =
      !liveness ||
      (lease?.holder?.host === liveness.self.host && lease?.holder?.pid === liveness.self.pid);
    if (
      lease &&
      lease.executionId === executionId &&
      sameHolder &&
      expiresAt - now.getTime() > ttlMs / 2
    ) {
      return;
    }
    if (await store.putIfUnchanged(key, JSON.stringify(wanted), current?.etag)) return;
  }
  throw new SnapshotLockedError(
    `Snapshot ${snapshot.iso}: could not take the lease after 5 attempts (heavy contention)`,
  );
}

/** Releases the lease if this execution still holds it; someone else's is left alone. */
export async function releaseSnapshotLease(
  store: ConditionalObjectStore,
  snapshot: SnapshotHour,
  executionId: string,
): Promise<void> {
  const key = rawKeys.snapshotLease(snapshot);
  const current = await store.getVersioned(key);
  if (current && parseLease(current.body)?.executionId === executionId) {
    await store.delete([key]);
  }
}

/**
 * Runs one writing step under the lease. When the step fails for good (a non-transient
 * error: the state machine will not retry it), the lease is released at once, so a rerun
 * need not wait for it to run out; transient failures keep it for the retry.
 */
export async function writeUnderSnapshotLease<T>(
  store: ConditionalObjectStore,
  snapshot: SnapshotHour,
  executionId: string,
  now: Date,
  write: () => Promise<T>,
  liveness?: LeaseHolderLiveness,
): Promise<T> {
  await holdSnapshotLease(store, snapshot, executionId, now, LEASE_TTL_MS, liveness);
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof PipelineError && error.transient)) {
      await releaseSnapshotLease(store, snapshot, executionId);
    }
    throw error;
  }
}
