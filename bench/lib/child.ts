// Runs one benchmark measurement in a fresh Node process, so each peak RSS belongs to that
// measurement alone and no JIT warm-up, heap or cache carries over from another. A worker is
// a TypeScript file under bench/workers that calls `workerMain`; it answers with one line
// of JSON on stdout, after a marker, and always includes its own peak RSS. Its arguments
// arrive as JSON on stdin: 10,000 playlist ids are more than a command line may hold.

import { spawn } from "node:child_process";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const RESULT_MARKER = "BENCH_RESULT ";

export interface WorkerResult {
  /** Peak resident set size of the worker process (VmHWM), in MiB. */
  peakRssMiB: number;
}

/** Runs `bench/workers/<name>.ts` with `args` (as JSON) and returns its result. */
export function runWorker<R>(
  name: string,
  args: unknown,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<R & WorkerResult> {
  const script = path.join(REPO_ROOT, "bench", "workers", `${name}.ts`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end(JSON.stringify(args));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20 * 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || line === undefined) {
        const tail = stderr.trim().split("\n").slice(-12).join("\n");
        reject(
          new Error(
            `bench worker ${name} ${signal ? `was killed (${signal})` : `exited with ${code}`}` +
              `${line === undefined ? " without a result" : ""}\n${tail}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as R & WorkerResult);
    });
  });
}

/** Peak RSS of this process so far, in MiB (getrusage's ru_maxrss: VmHWM on Linux). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The body of a worker: parses its JSON arguments (stdin), runs `fn`, prints the marked result. */
export function workerMain<A, R extends object>(fn: (args: A) => Promise<R>): void {
  readStdin()
    .then((text) => fn(JSON.parse(text || "{}") as A))
    .then(
      (result) => {
        process.stdout.write(
          `${RESULT_MARKER}${JSON.stringify({ ...result, peakRssMiB: peakRssMiB() })}\n`,
        );
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        process.exit(1);
      },
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
