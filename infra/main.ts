// The cdktf app: one stack per stage file in infra/stages (or only the stages named in
// STAGES=dev,prod), written to cdktf.out/stacks/spotify-lake-<stage>/cdk.tf.json.
// Runs offline: `npx tsx infra/main.ts` (npm run synth), or through cdktf-cli (cdktf.json).

import { App } from "cdktf";
import { PIPELINE_STEP_NAMES } from "../statemachine/pipeline";
import { bundleFunctions } from "./bundle";
import { listStages, loadStageConfig } from "./config";
import { SpotifyLakeStack, stackNameOf } from "./stack";

// Zip entries record local time: pin the zone so every machine writes the same archive bytes.
process.env.TZ = "UTC";

function main(): void {
  const started = Date.now();
  const stages = process.env.STAGES?.trim()
    ? process.env.STAGES.split(",").map((stage) => stage.trim())
    : listStages();
  // Load every configuration first: a bad stage file fails before any bundling.
  const configs = stages.map((stage) => loadStageConfig(stage));

  const bundles = bundleFunctions(PIPELINE_STEP_NAMES);
  const app = new App();
  for (const config of configs) {
    new SpotifyLakeStack(app, stackNameOf(config.stage), { config, bundles });
  }
  app.synth();

  const kib = Math.round(bundles.reduce((sum, bundle) => sum + bundle.bytes, 0) / 1024);
  console.log(
    `Synthesized ${configs.map((c) => stackNameOf(c.stage)).join(", ")} into ${app.outdir}/stacks ` +
      `(${bundles.length} bundles, ${kib} KiB) in ${Date.now() - started} ms`,
  );
}

try {
  main();
} catch (error) {
  // Configuration errors already name the bad setting: print them without a stack trace.
  console.error(
    error instanceof Error && error.name === "ConfigurationError" ? error.message : error,
  );
  process.exit(1);
}
