// The snapshot lease: two executions of one snapshot never write it at the same time.

import { describe, expect, it } from "vitest";
import { SpotifyTransientError, RawDataError } from "../../functions/commons/errors";
import { rawKeys } from "../../functions/commons/keys";
import { parseSnapshotHour } from "../../functions/commons/snapshot";
import {
  LEASE_TTL_MS,
  holdSnapshotLease,
  releaseSnapshotLease,
  writeUnderSnapshotLease,
} from "../../functions/core/snapshot-lease";
import { MemoryObjectStore } from "../support/memory-object-store";

const SNAPSHOT = parseSnapshotHour("2026-11-22T05:00:00Z");
const T0 = new Date("2026-11-22T05:03:00Z");
const A = "arn:aws:states:eu-west-1:1:execution:pipeline:scheduled-0500";
const B = "arn:aws:states:eu-west-1:1:execution:pipeline:console-rerun";
const later = (ms: number) => new Date(T0.getTime() + ms);
const leaseOf = (store: MemoryObjectStore) =>
  JSON.parse(store.text(rawKeys.snapshotLease(SNAPSHOT)) ?? "null") as {
    executionId: string;
    expiresAt: string;
  } | null;

describe("Snapshot lease", () => {
  it("is taken by the first execution that writes the snapshot", async () => {
    const store = new MemoryObjectStore();
    await holdSnapshotLease(store, SNAPSHOT, A, T0);
    expect(leaseOf(store)).toMatchObject({
      executionId: A,
      expiresAt: later(LEASE_TTL_MS).toISOString(),
    });
  });

  it("stops a second execution while the first one's lease is live, naming the holder", async () => {
    const store = new MemoryObjectStore();
    await holdSnapshotLease(store, SNAPSHOT, A, T0);
    await expect(holdSnapshotLease(store, SNAPSHOT, B, later(60_000))).rejects.toMatchObject({
      name: "SnapshotLockedError",
      message: expect.stringContaining(A),
    });
  });

  it("is taken over once it has run out", async () => {
    const store = new MemoryObjectStore();
    await holdSnapshotLease(store, SNAPSHOT, A, T0);
    await holdSnapshotLease(store, SNAPSHOT, B, later(LEASE_TTL_MS + 1));
    expect(leaseOf(store)?.executionId).toBe(B);
  });

  it("lets the parallel Map iterations of one execution hold it together", async () => {
    const store = new MemoryObjectStore();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => holdSnapshotLease(store, SNAPSHOT, A, later(i))),
    );
    expect(leaseOf(store)?.executionId).toBe(A);
  });

  it("is renewed by its holder once half its time has passed (a redrive keeps the execution ARN)", async () => {
    const store = new MemoryObjectStore();
    await holdSnapshotLease(store, SNAPSHOT, A, T0);
    await holdSnapshotLease(store, SNAPSHOT, A, later(LEASE_TTL_MS * 0.75));
    expect(leaseOf(store)?.expiresAt).toBe(later(LEASE_TTL_MS * 1.75).toISOString());
  });

  it("is released only by its holder", async () => {
    const store = new MemoryObjectStore();
    await holdSnapshotLease(store, SNAPSHOT, A, T0);
    await releaseSnapshotLease(store, SNAPSHOT, B);
    expect(leaseOf(store)?.executionId).toBe(A);
    await releaseSnapshotLease(store, SNAPSHOT, A);
    expect(leaseOf(store)).toBeNull();
  });

  it("is released when a step fails for good, and kept for a retry after a transient failure", async () => {
    const store = new MemoryObjectStore();
    await expect(
      writeUnderSnapshotLease(store, SNAPSHOT, A, T0, async () => {
        throw new SpotifyTransientError("503 from Spotify, 4 attempts");
      }),
    ).rejects.toThrow(SpotifyTransientError);
    expect(leaseOf(store)?.executionId).toBe(A);

    await expect(
      writeUnderSnapshotLease(store, SNAPSHOT, A, T0, async () => {
        throw new RawDataError("items-0001.json is not valid JSON");
      }),
    ).rejects.toThrow(RawDataError);
    expect(leaseOf(store)).toBeNull();
  });

  describe("with a holder process that can be checked (locally)", () => {
    const liveness = (pid: number, dead: readonly number[]) => ({
      self: { host: "laptop", pid },
      isDead: (holder: { host: string; pid: number }) =>
        holder.host === "laptop" && dead.includes(holder.pid),
    });

    it("names its holder's host and pid", async () => {
      const store = new MemoryObjectStore();
      await holdSnapshotLease(store, SNAPSHOT, A, T0, LEASE_TTL_MS, liveness(101, []));
      expect(leaseOf(store)).toMatchObject({
        executionId: A,
        holder: { host: "laptop", pid: 101 },
      });
    });

    it("is taken over at once when its holder provably died, and waited for while it lives", async () => {
      // Prepare: A's process (pid 101) holds the lease.
      const store = new MemoryObjectStore();
      await holdSnapshotLease(store, SNAPSHOT, A, T0, LEASE_TTL_MS, liveness(101, []));

      // Act, Assess: while 101 lives, B (pid 202) must wait; once 101 is gone, B takes over.
      await expect(
        holdSnapshotLease(store, SNAPSHOT, B, later(1_000), LEASE_TTL_MS, liveness(202, [])),
      ).rejects.toMatchObject({ name: "SnapshotLockedError" });
      await holdSnapshotLease(store, SNAPSHOT, B, later(2_000), LEASE_TTL_MS, liveness(202, [101]));
      expect(leaseOf(store)).toMatchObject({ executionId: B, holder: { pid: 202 } });
    });

    it("is waited for when it names no holder (AWS) or one on another host", async () => {
      const store = new MemoryObjectStore();
      await holdSnapshotLease(store, SNAPSHOT, A, T0);
      await expect(
        holdSnapshotLease(store, SNAPSHOT, B, later(1_000), LEASE_TTL_MS, liveness(202, [101])),
      ).rejects.toMatchObject({ name: "SnapshotLockedError" });
      const elsewhere = { self: { host: "ci-runner", pid: 101 }, isDead: () => false };
      await holdSnapshotLease(new MemoryObjectStore(), SNAPSHOT, A, T0, LEASE_TTL_MS, elsewhere);
    });
  });
});
