// `npm run bench [-- --quick] [--only transform,extract,packaging,e2e,cost,incremental,scale] [--out <file.json>]`:
// runs the benchmark suite, writes the results as JSON (default bench/results/latest.json, or
// quick.json) with a Markdown rendering beside it, and prints the tables.

import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./lib/child";
import { renderReport } from "./lib/report";
import { runBench, SECTIONS, type Section } from "./lib/suite";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string" },
    },
  });
  const sections = values.only?.split(",").map((s) => s.trim()) ?? [...SECTIONS];
  const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown section(s) ${unknown.join(", ")}; known: ${SECTIONS.join(", ")}`,
    );
  }
  const resultsDir = path.join(REPO_ROOT, "bench", "results");
  const out = path.resolve(
    values.out ?? path.join(resultsDir, values.quick ? "quick.json" : "latest.json"),
  );
  const results = await runBench({
    quick: values.quick,
    // Outside the repository: bundles and datasets there would be linted and type-checked.
    // Datasets are kept between runs and rebuilt only when the code that makes them changes.
    workDir: path.join(tmpdir(), "spotify-lake-bench", values.quick ? "quick" : "full"),
    sections: sections as Section[],
    log: (line) => console.error(`[bench] ${line}`),
  });
  const report = renderReport(results);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, "") + ".md", report);
  console.log(report);
  console.error(`[bench] results written to ${path.relative(process.cwd(), out)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
