// A child process for the kill tests: runs the kill scenario's rerun (test/support/
// kill-scenario.ts) and SIGKILLs itself at one of its writes, so the parent sees what a
// process really killed there leaves: its files, its lease naming its (now dead) pid.
// usage: node --import tsx test/support/die-at-write.ts <data-dir> <write> <before|after>

import { runAgainstEmulator } from "./fault-harness";
import { KILL_INPUT, KILL_MODE, KILL_START, changedCatalogue } from "./kill-scenario";
import { processDeath } from "./process-death";

const [dataDir, write, when] = process.argv.slice(2);
if (!dataDir || !write || (when !== "before" && when !== "after")) {
  throw new Error("usage: die-at-write.ts <data-dir> <write> <before|after>");
}
const death = processDeath({ write: Number(write), when }, () => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("SIGKILL did not stop the process");
});
void runAgainstEmulator({
  dataDir,
  input: KILL_INPUT,
  startTime: KILL_START,
  emulator: { mode: KILL_MODE, catalogue: changedCatalogue() },
  adapters: death.adapters,
}).finally(() => {
  // Still alive: the run had fewer writes than asked for.
  process.exit(3);
});
