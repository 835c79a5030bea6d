// Vitest's globalSetup (vitest.config.mts): runs once per `vitest run`, in the main process,
// before any test file. It only makes the run's shared scratch folder (cheap); what goes in it
// is built by the first test file that needs it (test/infra/synth-support.ts, sharedBundles),
// so a run of a few unit tests pays for nothing it does not use.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "../../infra/bundle";

declare module "vitest" {
  export interface ProvidedContext {
    /** A folder for this run's shared build products, removed when the run ends. */
    sharedBuildDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const parent = path.join(REPO_ROOT, ".local", "test-infra");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "shared-"));
  project.provide("sharedBuildDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
