// Section 4: each Lambda's bundle (built by infra/bundle.ts, as deployed) and its cold start:
// a fresh Node process loads the bundle and handles one event. Events either succeed
// (prepare-run) or stop at input validation with InvalidInputError after the function's
// load-time work (clients, configuration, the Spotify secret fetched through Middy). The AWS
// endpoint is a loopback stub that serves the secret, so nothing leaves the machine.

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import { bundleFunctions } from "../../infra/bundle";
import { SAMPLE_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import { PIPELINE_STEP_NAMES } from "../../statemachine/pipeline";
import { median, round } from "../lib/stats";

export const PACKAGING_TARGETS = { maxBundleBytes: 1024 * 1024, maxMedianLoadAndHandleMs: 150 };

const RUN = {
  snapshot: "2026-11-22T05:00:00.000Z",
  executionId: "arn:aws:states:us-east-1:000000000000:execution:spotify-lake-pipeline:bench",
};

/** One event per function, the configuration it needs, and the outcome that proves it ran. */
const COLD_START_CASES: Record<
  string,
  { event: unknown; env: Record<string, string>; expected: "ok" | string }
> = {
  "prepare-run": {
    // A mode it refuses: it checks the whole input and fails before its one S3 write (the
    // items object), which would need AWS.
    event: {
      input: { snapshot: "2026-11-22T05:00:00Z", mode: "bench" },
      execution: { id: RUN.executionId, startTime: "2026-11-22T05:00:07Z" },
    },
    env: { RAW_BUCKET: "bench-raw", PLAYLIST_IDS: SAMPLE_PLAYLIST_IDS.join(",") },
    expected: "InvalidInputError",
  },
  "extract-playlist": {
    event: { run: RUN, playlistId: "not-a-playlist-id" },
    env: { RAW_BUCKET: "bench-raw", SPOTIFY_SECRET_ID: "bench/spotify" },
    expected: "InvalidInputError",
  },
  "extract-artists": {
    event: { run: RUN, playlists: "not-a-list" },
    env: { RAW_BUCKET: "bench-raw", SPOTIFY_SECRET_ID: "bench/spotify" },
    expected: "InvalidInputError",
  },
  "transform-snapshot": {
    event: { run: { ...RUN, playlists: "not-a-list" } },
    env: { RAW_BUCKET: "bench-raw", LAKE_BUCKET: "bench-lake" },
    expected: "InvalidInputError",
  },
  "crawl-lake": {
    event: { run: RUN, action: "not-an-action" },
    env: {
      CRAWLER_NAME: "bench-crawler",
      GLUE_DATABASE: "bench_db",
      LAKE_BUCKET: "bench-lake",
      RAW_BUCKET: "bench-raw",
    },
    expected: "InvalidInputError",
  },
  "validate-snapshot": {
    event: { run: RUN, action: "start", transform: {} },
    env: { ATHENA_WORKGROUP: "bench", GLUE_DATABASE: "bench" },
    expected: "InvalidInputError",
  },
};

// Runs in the fresh process: performance.now() counts from the process's start.
const HARNESS = `"use strict";
const loadStarted = performance.now();
const { handler } = require(process.argv[2]);
const loaded = performance.now();
const context = {
  functionName: "bench", functionVersion: "$LATEST", memoryLimitInMB: "1024",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench",
  awsRequestId: "00000000-0000-0000-0000-000000000000", logGroupName: "/aws/lambda/bench",
  logStreamName: "bench", callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
};
handler(JSON.parse(process.argv[3]), context)
  .then(() => "ok", (error) => String(error && error.name))
  .then((outcome) => {
    const done = performance.now();
    process.stdout.write("BENCH_RESULT " + JSON.stringify({
      outcome, loadMs: loaded - loadStarted, handleMs: done - loaded,
      loadAndHandleMs: done - loadStarted, sinceProcessStartMs: done,
    }) + "\\n");
    process.exit(0);
  });
`;

export interface FunctionPackagingResult {
  name: string;
  bundleBytes: number;
  zipBytes: number;
  runs: number;
  outcome: string;
  expectedOutcome: string;
  awsCallsPerStart: number;
  medianLoadMs: number;
  medianHandleMs: number;
  medianLoadAndHandleMs: number;
  /** From the process's own start (Node bootstrap included) to the handled event. */
  medianSinceProcessStartMs: number;
  /** As the parent saw it: spawn to exit. */
  medianSpawnToExitMs: number;
}

/** Size of a one-file zip of `bytes` (deflate, level 6, as archivers default to). */
export function zipSize(bytes: Uint8Array, fileName: string): number {
  const name = Buffer.byteLength(fileName);
  const local = 30 + name;
  const central = 46 + name;
  const end = 22;
  return local + deflateRawSync(bytes, { level: 6 }).length + central + end;
}

/** The pipeline's Lambda steps (the contract lists them; each has functions/<step>/index.ts). */
export function functionNames(): string[] {
  return [...PIPELINE_STEP_NAMES].sort();
}

/** A loopback stand-in for AWS: answers GetSecretValue, refuses anything else, counts calls. */
async function startAwsStub(): Promise<{
  url: string;
  calls: string[];
  close: () => Promise<void>;
}> {
  const calls: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? `${req.method} ${req.url}`);
      calls.push(target);
      const type = "application/x-amz-json-1.1";
      if (target === "secretsmanager.GetSecretValue") {
        res.writeHead(200, { "content-type": type });
        res.end(
          JSON.stringify({
            ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:bench/spotify",
            Name: "bench/spotify",
            SecretString: JSON.stringify({
              clientId: "bench-client",
              clientSecret: "bench-secret",
            }),
            VersionId: "00000000-0000-0000-0000-000000000000",
            VersionStages: ["AWSCURRENT"],
          }),
        );
        return;
      }
      res.writeHead(400, { "content-type": type });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

interface ColdStart {
  outcome: string;
  loadMs: number;
  handleMs: number;
  loadAndHandleMs: number;
  sinceProcessStartMs: number;
  spawnToExitMs: number;
}

function coldStart(harness: string, bundle: string, event: unknown, env: Record<string, string>) {
  return new Promise<ColdStart>((resolve, reject) => {
    const spawned = performance.now();
    const child = spawn(process.execPath, [harness, bundle, JSON.stringify(event)], {
      // A clean environment, as in Lambda: only what the function is configured with.
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code !== 0 || !line) {
        reject(new Error(`cold start of ${bundle} failed (${code}): ${stderr.slice(-800)}`));
        return;
      }
      const result = JSON.parse(line.slice("BENCH_RESULT ".length)) as Omit<
        ColdStart,
        "spawnToExitMs"
      >;
      resolve({ ...result, spawnToExitMs: performance.now() - spawned });
    });
  });
}

export async function benchPackaging(options: {
  workDir: string;
  runs: number;
  log: (line: string) => void;
}): Promise<FunctionPackagingResult[]> {
  const outDir = path.join(options.workDir, "bundles");
  mkdirSync(outDir, { recursive: true });
  const harness = path.join(options.workDir, "cold-start-harness.cjs");
  writeFileSync(harness, HARNESS);
  const names = functionNames();
  options.log(`packaging: bundling ${names.length} functions`);
  const bundles = bundleFunctions(names, { outDir });
  const aws = await startAwsStub();
  try {
    const results: FunctionPackagingResult[] = [];
    for (const bundle of bundles) {
      const spec = COLD_START_CASES[bundle.name];
      if (!spec) throw new Error(`no cold-start event for function ${bundle.name}`);
      const file = path.join(bundle.dir, "index.js");
      const env = {
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIDBENCHMARK",
        AWS_SECRET_ACCESS_KEY: "benchmark",
        AWS_ENDPOINT_URL: aws.url,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_LAMBDA_FUNCTION_NAME: `spotify-lake-bench-${bundle.name}`,
        ...spec.env,
      };
      options.log(`packaging: cold starts of ${bundle.name}`);
      const starts: ColdStart[] = [];
      const callsBefore = aws.calls.length;
      for (let run = 0; run < options.runs; run++) {
        starts.push(await coldStart(harness, file, spec.event, env));
      }
      const outcomes = [...new Set(starts.map((s) => s.outcome))];
      const m = (key: keyof Omit<ColdStart, "outcome">) =>
        round(median(starts.map((s) => s[key])), 1);
      results.push({
        name: bundle.name,
        bundleBytes: bundle.bytes,
        zipBytes: zipSize(readFileSync(file), "index.js"),
        runs: options.runs,
        outcome: outcomes.join(" | "),
        expectedOutcome: spec.expected,
        awsCallsPerStart: round((aws.calls.length - callsBefore) / options.runs, 2),
        medianLoadMs: m("loadMs"),
        medianHandleMs: m("handleMs"),
        medianLoadAndHandleMs: m("loadAndHandleMs"),
        medianSinceProcessStartMs: m("sinceProcessStartMs"),
        medianSpawnToExitMs: m("spawnToExitMs"),
      });
    }
    return results;
  } finally {
    await aws.close();
  }
}
