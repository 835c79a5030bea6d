#!/usr/bin/env node
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher */
// The `spotify-lake` command (package.json "bin"): ops/cli.ts, run through tsx as every
// script of this project runs its TypeScript.
require("tsx/cjs/api").register();
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
