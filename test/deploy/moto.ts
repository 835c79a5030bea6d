// The offline AWS of `npm run test:deploy`: moto's server (through the launcher beside this
// file, which answers the calls moto lacks), the Terraform CLI with the local provider
// mirror, and SDK clients pointed at the server.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** Folders where these machines keep the provider mirror (`terraform init -plugin-dir`). */
const PLUGIN_DIR_CANDIDATES = [process.env.TF_PLUGIN_DIR, "/opt/tf-plugins"];
const PROVIDER = "registry.terraform.io/hashicorp/aws";

export const MOTO_ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** Terraform and the provider mirror, or an error saying which is missing and how to get it. */
export function terraformTools(): { pluginDir: string; version: string } {
  const version = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    throw new Error(
      "test:deploy needs the terraform CLI (>= 1.10) on the PATH: it was not found. Install Terraform, or run only npm test.",
    );
  }
  const pluginDir = PLUGIN_DIR_CANDIDATES.find(
    (dir) =>
      dir &&
      existsSync(path.join(dir, PROVIDER)) &&
      readdirSync(path.join(dir, PROVIDER)).length > 0,
  );
  if (!pluginDir) {
    throw new Error(
      `test:deploy needs the AWS provider plugin in a local mirror (${PROVIDER}/<version>/<os_arch>/ under TF_PLUGIN_DIR or /opt/tf-plugins): none was found.`,
    );
  }
  return {
    pluginDir,
    version: (JSON.parse(version.stdout) as { terraform_version: string }).terraform_version,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export interface Moto {
  readonly endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(logFile: string): Promise<Moto> {
  const port = await freePort();
  // Output to a file, never a pipe: terraform runs synchronously and would leave a pipe
  // undrained, and moto (which logs every request) would then block mid-request.
  const log = openSync(logFile, "a");
  const child: ChildProcess = spawn(
    "python3",
    [path.join(__dirname, "moto_server.py"), String(port)],
    { stdio: ["ignore", log, log] },
  );
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`moto exited with ${exited}: see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`moto did not start in 30 s: see ${logFile}`);
    const ready = await fetch(`http://127.0.0.1:${port}/moto-api/data.json`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Services the stack uses, by the provider's `endpoints` names. */
const PROVIDER_ENDPOINTS = [
  "athena",
  "cloudwatch",
  "glue",
  "iam",
  "kms",
  "lambda",
  "logs",
  "s3",
  "scheduler",
  "secretsmanager",
  "sfn",
  "sns",
  "sqs",
  "sts",
];

/** An override file that points the provider at moto and keeps state inside the stack folder. */
export function motoOverride(endpoint: string): unknown {
  return {
    provider: {
      aws: {
        access_key: "test",
        secret_key: "test",
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        s3_use_path_style: true,
        endpoints: [Object.fromEntries(PROVIDER_ENDPOINTS.map((name) => [name, endpoint]))],
      },
    },
    terraform: { backend: { local: { path: "moto.tfstate" } } },
  };
}

/** Runs terraform in `cwd`; throws with its output when it fails. */
export function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync("terraform", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`terraform ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
