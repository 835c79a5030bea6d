import { defineConfig } from "vitest/config";

// Test files that change the process for the modules they load (an environment variable read
// when a module is first imported): each runs in a fresh process of its own.
const ISOLATED = ["test/e2e/secrets.test.ts"];
// Terraform against moto, and the browser tests: their own scripts (test:deploy, test:browser).
// The benchmark suite's smoke run (every section at a tiny scale, ~30 CPU-seconds of child
// processes) is `npm run test:bench`, which .ci/run runs: it guards the bench's code, not a
// behaviour of the pipeline.
const EXCLUDED = [
  "test/deploy/**",
  "test/browser/**",
  "node_modules/**",
  ...(process.env.BENCH_SMOKE ? [] : ["test/bench/bench-quick.test.ts"]),
];

const common = {
  environment: "node",
  testTimeout: 60_000,
  hookTimeout: 60_000,
  env: {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  },
} as const;

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on the two-core machines this
    // project is built on that is a single worker, and half the machine idles.
    maxWorkers: 2,
    projects: [
      {
        // Most files share their worker's loaded modules (the AWS SDK, DuckDB, cdktf, the
        // pipeline): loading them again for every file was a third of the run's time. No
        // test relies on a module's state from another file; each builds what it uses.
        test: {
          ...common,
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: [...EXCLUDED, ...ISOLATED],
          isolate: false,
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      { test: { ...common, name: "isolated", include: ISOLATED } },
    ],
  },
});
