// What the figures were measured on: they mean little without the machine.

import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./child";

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  packages: Record<string, string>;
}

const installedVersion = (name: string): string => {
  try {
    const file = path.join(REPO_ROOT, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
};

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    packages: Object.fromEntries(
      ["@duckdb/node-api", "hyparquet-writer", "esbuild", "aws-local-stepfunctions"].map((n) => [
        n,
        installedVersion(n),
      ]),
    ),
  };
}
