// Whether the process holding a snapshot lease is still alive, locally: a lease names its
// holder's host and pid, and on the same host `kill(pid, 0)` answering ESRCH proves that
// process is gone (EPERM means it exists under another user: alive). A holder on another
// host, or one that cannot be checked, counts as alive: the lease then runs out as in AWS.
// A pid the system reused for a new process also counts as alive, which only costs a wait.

import { hostname } from "node:os";
import type { LeaseHolderLiveness, LeaseHolderProcess } from "../../functions/commons/ports";

export function processLiveness(
  self: LeaseHolderProcess = { host: hostname(), pid: process.pid },
): LeaseHolderLiveness {
  return {
    self,
    isDead(holder) {
      if (holder.host !== self.host || holder.pid === self.pid || holder.pid <= 0) return false;
      try {
        process.kill(holder.pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === "ESRCH";
      }
    },
  };
}
