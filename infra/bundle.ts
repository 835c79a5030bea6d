// Bundles each Lambda handler with esbuild into its own folder, ready for a TerraformAsset
// to zip at synth time. Same sources in, byte-identical bundles and zips out: file mtimes
// and modes are pinned (the zip records both), and `source_code_hash` is the SHA-256 of
// the bundle itself, so a redeploy only touches the functions whose code changed.

import { buildSync } from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync } from "node:fs";
import path from "node:path";
import { ConfigurationError } from "../functions/commons/errors";

/** The repository root: entry points and the default build folder are resolved from it. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Where `tsx infra/main.ts` writes bundles (ignored by git along with the rest of cdktf.out). */
export const DEFAULT_BUNDLE_DIR = path.join(REPO_ROOT, "cdktf.out", "bundles");

// Zip entries store each file's mtime: pin it so the archive does not change with the
// time of the build. (Zip stores local DOS time, so zips built in different time zones
// still differ; nothing depends on the zip bytes: `source_code_hash` hashes the bundle.)
const FIXED_MTIME = new Date("2020-01-01T00:00:00Z");

export interface FunctionBundle {
  /** Function folder name, e.g. `extract-playlist`. */
  readonly name: string;
  /** Absolute folder holding `index.js`: the TerraformAsset's source. */
  readonly dir: string;
  /** base64 SHA-256 of `index.js`, the form Lambda reports as CodeSha256 for a bare file. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface BundleOptions {
  /** Folder that receives `<name>/index.js`; defaults to `cdktf.out/bundles`. */
  readonly outDir?: string;
  /** Folder holding `functions/<name>/index.ts`; defaults to the repository root. */
  readonly sourceRoot?: string;
}

// Bundling takes most of a synth's time: do it once per process and output folder.
const cache = new Map<string, FunctionBundle>();

/** `functions/<name>/index.ts` of each function, absolute. */
export function entryPointOf(name: string, sourceRoot = REPO_ROOT): string {
  return path.join(sourceRoot, "functions", name, "index.ts");
}

/**
 * Bundles every named function (`functions/<name>/index.ts`, exporting `handler`) into
 * `<outDir>/<name>/index.js`. Throws a ConfigurationError naming every missing entry point.
 */
export function bundleFunctions(
  names: readonly string[],
  options: BundleOptions = {},
): FunctionBundle[] {
  const outDir = path.resolve(options.outDir ?? DEFAULT_BUNDLE_DIR);
  const sourceRoot = path.resolve(options.sourceRoot ?? REPO_ROOT);

  const missing = names.filter((name) => !existsSync(entryPointOf(name, sourceRoot)));
  if (missing.length > 0) {
    throw new ConfigurationError(
      "Lambda entry points",
      `are missing: ${missing.map((name) => path.relative(sourceRoot, entryPointOf(name, sourceRoot))).join(", ")} (each must export \`handler\`)`,
    );
  }

  return names.map((name) => {
    const key = `${outDir}\0${sourceRoot}\0${name}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const bundle = bundleOne(name, sourceRoot, outDir);
    cache.set(key, bundle);
    return bundle;
  });
}

function bundleOne(name: string, sourceRoot: string, outDir: string): FunctionBundle {
  const dir = path.join(outDir, name);
  const outfile = path.join(dir, "index.js");
  // A stale file left in the folder would end up in the zip.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  try {
    buildSync({
      absWorkingDir: sourceRoot,
      entryPoints: [entryPointOf(name, sourceRoot)],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      minify: true,
      sourcemap: false,
      legalComments: "none",
      // The AWS SDK v3 is bundled in (no `external`): a pinned SDK, and a minified bundle
      // cold-starts faster than the runtime's copy loaded module by module.
      logLevel: "silent",
    });
  } catch (error) {
    // esbuild's message lists every error with file and line; keep the first lines.
    const detail =
      error instanceof Error ? error.message.split("\n").slice(0, 6).join("\n") : String(error);
    throw new ConfigurationError(`functions/${name}/index.ts`, `does not bundle: ${detail}`);
  }

  chmodSync(outfile, 0o644);
  utimesSync(outfile, FIXED_MTIME, FIXED_MTIME);
  utimesSync(dir, FIXED_MTIME, FIXED_MTIME);

  const code = readFileSync(outfile);
  return {
    name,
    dir,
    sha256: createHash("sha256").update(code).digest("base64"),
    bytes: code.length,
  };
}
