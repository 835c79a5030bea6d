// Whether the process holding a snapshot lease is still alive, locally: a lease names its
// holder's host and pid, and on the same host `kill(pid, 0)` answering ESRCH proves that
// process is gone (EPERM means it exists under another user: alive). A holder on another
// host, or one that cannot be checked, counts as alive: the lease then runs out as in AWS.
// A pid the system reused for a new process also counts as alive, which only costs a wait.

import { hostname } from "node:os";
import type { LeaseHolderLiveness, LeaseHolderProcess } from "../../functions/commons/ports";

/** True only when no process `pid` runs on this machine (ESRCH); never for this process. */
export function processIsGone(pid: number): boolean {
  if (pid === process.pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function processLiveness(
  self: LeaseHolderProcess = { host: hostname(), pid: process.pid },
): LeaseHolderLiveness {
  return {
    self,
    isDead: (holder) =>
      holder.host === self.host && holder.pid !== self.pid && processIsGone(holder.pid),
  };
}
