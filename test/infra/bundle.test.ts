// Specification of the Lambda bundler: one minified CommonJS file per function, a content
// hash, pinned file times, and clear errors for a missing or broken entry point.

import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFunctions } from "../../infra/bundle";
import { scratchFolder } from "./synth-support";

const scratch = scratchFolder("bundle");
afterAll(() => scratch.cleanup());

function sourceTree(files: Record<string, string>): string {
  const root = path.join(
    scratch.dir,
    `src-${Object.keys(files)
      .join("-")
      .replace(/[^a-z]/g, "")}`,
  );
  for (const [name, code] of Object.entries(files)) {
    mkdirSync(path.join(root, "functions", name), { recursive: true });
    writeFileSync(path.join(root, "functions", name, "index.ts"), code);
  }
  return root;
}

describe("bundleFunctions", () => {
  it("writes <name>/index.js as minified CommonJS with the SHA-256 of its bytes and a pinned mtime", () => {
    const sourceRoot = sourceTree({
      greet:
        "export const handler = async (event: { name: string }) => ({ greeting: `hello ${event.name}` });\n",
    });
    const [bundle] = bundleFunctions(["greet"], {
      outDir: path.join(scratch.dir, "out"),
      sourceRoot,
    });

    const file = path.join(bundle!.dir, "index.js");
    const code = readFileSync(file);
    expect(bundle!.sha256).toBe(createHash("sha256").update(code).digest("base64"));
    expect(code.toString()).toMatch(/module\.exports/);
    expect(code.toString().split("\n").filter(Boolean)).toHaveLength(1);
    expect(statSync(file).mtime.toISOString()).toBe("2020-01-01T00:00:00.000Z");
  });

  it("fails naming every missing entry point", () => {
    const sourceRoot = sourceTree({ present: "export const handler = async () => 1;\n" });
    expect(() =>
      bundleFunctions(["present", "absent-one", "absent-two"], {
        outDir: path.join(scratch.dir, "out2"),
        sourceRoot,
      }),
    ).toThrow(/functions\/absent-one\/index\.ts, functions\/absent-two\/index\.ts/);
  });

  it("fails naming the function whose code does not compile", () => {
    const sourceRoot = sourceTree({ broken: "export const handler = async () => {\n" });
    expect(() =>
      bundleFunctions(["broken"], { outDir: path.join(scratch.dir, "out3"), sourceRoot }),
    ).toThrow(/functions\/broken\/index\.ts does not bundle/);
  });
});
