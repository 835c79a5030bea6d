// `npm run test:deploy`: the terraform apply/destroy against moto (test/deploy/), which
// needs terraform, the provider mirror and python3 with moto, and takes minutes.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/deploy/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 480_000,
    fileParallelism: false,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      TZ: "UTC",
    },
  },
});
