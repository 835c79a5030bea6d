// Lambda configuration is read once, at load, so a missing setting fails the cold start
// with a message naming it rather than a confusing error halfway through a run.

import { ConfigurationError } from "./errors";

export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigurationError(name, "is not set");
  return value;
}

/** A comma-separated list; empty or unset gives []. Validation is the caller's. */
export function listEnv(name: string): string[] {
  return (process.env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
