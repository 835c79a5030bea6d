// Specification of the local lease holder check (local/adapters/process-liveness.ts): a holder
// is dead only when it ran on this host and its process is gone (ESRCH).

import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { processLiveness } from "../../local/adapters/process-liveness";
import { deadPid } from "../support/process-death";

describe("processLiveness", () => {
  const liveness = processLiveness();

  it("names this process", () => {
    expect(liveness.self).toEqual({ host: hostname(), pid: process.pid });
  });

  it("says a holder on this host whose process is gone is dead", () => {
    expect(liveness.isDead({ host: hostname(), pid: deadPid() })).toBe(true);
  });

  it("says a living process, this one, or one on another host is not dead", () => {
    expect(liveness.isDead({ host: hostname(), pid: process.ppid })).toBe(false);
    expect(liveness.isDead({ host: hostname(), pid: process.pid })).toBe(false);
    expect(liveness.isDead({ host: `${hostname()}-elsewhere`, pid: deadPid() })).toBe(false);
  });
});
