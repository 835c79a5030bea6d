// The operations CLI over the real wire protocol: its modules, and the `spotify-lake` command
// itself, talking to moto's server through the AWS SDK where moto implements the API (start,
// describe, list and history of executions; Athena; Secrets Manager). RedriveExecution is not
// in moto 5.2.1: test/ops/watch.test.ts covers it with scripted answers. moto never runs a
// state machine: an execution stays RUNNING and its history is moto's canned one.

import { AthenaClient, CreateWorkGroupCommand } from "@aws-sdk/client-athena";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CreateStateMachineCommand, SFNClient, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/bundle";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import { runAthenaQuery } from "../../ops/aws/athena-query";
import {
  describeExecution,
  listExecutions,
  recentRuns,
  startExecution,
} from "../../ops/aws/executions";
import {
  authorizeIntoSecret,
  doctorWithSecret,
  readStageCredentials,
} from "../../ops/aws/spotify-secret";
import { watchExecution } from "../../ops/aws/watch";
import { awsBackfillRunner } from "../../ops/backfill/aws-runner";
import { backfill } from "../../ops/backfill/engine";
import { PIPELINE_DEFINITION_FILE, PIPELINE_STEPS } from "../../statemachine/pipeline";
import { readFileSync } from "node:fs";
import { freePort } from "../support/local-run";
import { MOTO_ACCOUNT, REGION, sdkConfig, startMoto, type Moto } from "./moto";

let moto: Moto;
let stateMachineArn: string;
const work = (() => {
  const parent = path.join(REPO_ROOT, ".local", "test-deploy");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(path.join(parent, "ops-"));
})();
const sfn = () => new SFNClient(sdkConfig(moto.endpoint));

beforeAll(async () => {
  moto = await startMoto(path.join(work, "moto.log"));
  let definition = readFileSync(PIPELINE_DEFINITION_FILE, "utf8");
  for (const [step, { placeholder }] of Object.entries(PIPELINE_STEPS)) {
    definition = definition.replaceAll(
      `\${${placeholder}}`,
      `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:spotify-lake-dev-${step}`,
    );
  }
  const created = await sfn().send(
    new CreateStateMachineCommand({
      name: "spotify-lake-dev-pipeline",
      definition,
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/spotify-lake-dev-pipeline`,
    }),
  );
  stateMachineArn = created.stateMachineArn!;
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("Executions against moto", () => {
  it("starts an execution named after its snapshot, describes it, lists it and reads its history", async () => {
    // Act
    const started = await startExecution(sfn(), REGION, stateMachineArn, {
      snapshot: "2026-11-22T05:00:00Z",
    });
    const described = await describeExecution(sfn(), REGION, started.executionArn);
    const listed = await listExecutions(sfn(), REGION, stateMachineArn, { status: "RUNNING" });
    const runs = await recentRuns(sfn(), REGION, stateMachineArn, { limit: 5 });
    const end = await watchExecution({
      sfn: sfn(),
      region: REGION,
      executionArn: started.executionArn,
      topLevelStates: new Set(["A State"]),
      onEvent: () => {},
      sleep: async () => {},
    });

    // Assess
    expect(started.name).toMatch(/^2026-11-22T05-full-[0-9a-f]{8}$/);
    expect(JSON.parse(described.input!)).toEqual({ snapshot: "2026-11-22T05:00:00.000Z" });
    expect(listed.map((e) => e.name)).toContain(started.name);
    expect(runs.find((r) => r.name === started.name)).toMatchObject({
      snapshot: "2026-11-22T05:00:00.000Z",
      mode: "full",
      status: "RUNNING",
    });
    expect(end).toEqual({ status: "SUCCEEDED" }); // moto's canned history
  });

  it("says an execution that does not exist was not found", async () => {
    const missing =
      stateMachineArn.replace(":stateMachine:", ":execution:") + ":2026-01-01T00-full-deadbeef";
    await expect(describeExecution(sfn(), REGION, missing)).rejects.toThrow(
      `execution ${missing} was not found in region ${REGION}`,
    );
  });

  it("backfills: skips the hour already running, starts the others, and reports how each ended", async () => {
    // Prepare: moto never ends an execution; the test stops each one as it starts.
    const client = sfn();
    const runner = awsBackfillRunner({
      sfn: client,
      region: REGION,
      stateMachineArn,
      mode: "full",
      pollMs: 10,
      onStarted: (_hour, arn) =>
        void client.send(
          new StopExecutionCommand({ executionArn: arn, error: "Stopped", cause: "by the test" }),
        ),
    });

    // Act
    const outcomes = await backfill({
      from: "2026-11-22T04:00:00Z",
      to: "2026-11-22T06:00:00Z",
      concurrency: 2,
      runner,
    });

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(["FAILED", "SKIPPED", "FAILED"]);
    expect(outcomes[1]!.note).toBe("already running");
    expect(outcomes[0]!.note).toMatch(/^ABORTED/);
    const names = (
      await listExecutions(client, REGION, stateMachineArn, { status: "ABORTED" })
    ).map((e) => e.name);
    expect(names.some((n) => n?.startsWith("2026-11-22T04-full-"))).toBe(true);
    expect(names.some((n) => n?.startsWith("2026-11-22T06-full-"))).toBe(true);
  });
});

describe("Athena against moto", () => {
  it("runs a query in the workgroup and reads the rows moto was given", async () => {
    // Prepare
    const athena = new AthenaClient(sdkConfig(moto.endpoint));
    await athena.send(new CreateWorkGroupCommand({ Name: "spotify-lake-dev", Configuration: {} }));
    const rows = [
      ["playlist_name", "songs"],
      ["Morning", "12"],
      ["Evening", "7"],
    ].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) }));
    const answer = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: "POST",
      body: JSON.stringify({
        account_id: MOTO_ACCOUNT,
        region: REGION,
        results: [
          {
            rows,
            column_info: [
              { Name: "playlist_name", Type: "varchar" },
              { Name: "songs", Type: "bigint" },
            ],
          },
        ],
      }),
    });
    expect(answer.status).toBe(201);

    // Act
    const result = await runAthenaQuery({
      athena,
      region: REGION,
      workgroup: "spotify-lake-dev",
      database: "spotify_lake_dev",
      sql: "SELECT playlist_name, COUNT(*) AS songs FROM songs_data GROUP BY 1",
      pollMs: 10,
    });

    // Assess
    expect(result.columns).toEqual(["playlist_name", "songs"]);
    expect(result.rows).toEqual([
      { playlist_name: "Morning", songs: "12" },
      { playlist_name: "Evening", songs: "7" },
    ]);
  });
});

describe("Secrets Manager against moto", () => {
  it("authorize --stage stores the emulator's authorization in the secret; doctor --stage reads with it", async () => {
    // Prepare: the secret as Terraform creates it, without a value.
    const secrets = new SecretsManagerClient(sdkConfig(moto.endpoint));
    const { ARN } = await secrets.send(
      new CreateSecretCommand({ Name: "spotify-lake-dev/spotify-credentials" }),
    );
    const emulator = await startSpotifyEmulator();
    try {
      expect(await readStageCredentials(secrets, REGION, ARN!)).toBeUndefined();
      const printed: string[] = [];

      // Act
      await authorizeIntoSecret({
        secrets,
        region: REGION,
        secretId: ARN!,
        clientId: emulator.credentials.clientId,
        clientSecret: emulator.credentials.clientSecret,
        accountsBaseUrl: emulator.accountsBaseUrl,
        redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
        timeoutMs: 5000,
        open: async (url) => void (await fetch(url)),
        print: (l) => printed.push(l),
      });
      const report = await doctorWithSecret({
        secrets,
        region: REGION,
        secretId: ARN!,
        appMode: "development",
        playlists: [],
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      });

      // Assess
      const stored = JSON.parse(
        (await secrets.send(new GetSecretValueCommand({ SecretId: ARN! }))).SecretString!,
      );
      expect(stored).toMatchObject({
        clientId: emulator.credentials.clientId,
        refreshToken: expect.stringMatching(/^AQ/),
      });
      expect(printed.join("\n")).not.toContain(stored.refreshToken);
      expect(printed.join("\n")).not.toContain(emulator.credentials.clientSecret);
      expect(report.ok).toBe(true);
      expect(report.lines.join("\n")).toContain("Authorized user:");
    } finally {
      await emulator.close();
    }
  });

  it("says a secret that does not exist was not found", async () => {
    const secrets = new SecretsManagerClient(sdkConfig(moto.endpoint));
    await expect(
      readStageCredentials(secrets, REGION, "spotify-lake-nope/spotify-credentials"),
    ).rejects.toThrow(
      `secret spotify-lake-nope/spotify-credentials was not found in region ${REGION}`,
    );
  });
});

describe("Command: spotify-lake against moto", () => {
  /** Runs the bin with the SDK pointed at moto through AWS_ENDPOINT_URL. */
  function bin(
    ...args: string[]
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(path.join(REPO_ROOT, "ops", "bin.cjs"), args, {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("start --stage prints the execution and its console link; runs and watch find it", async () => {
    // Prepare
    const outputs = path.join(work, "outputs.json");
    writeFileSync(
      outputs,
      JSON.stringify({ state_machine_arn: { value: stateMachineArn, type: "string" } }),
    );

    // Act
    const started = await bin(
      "start",
      "--stage",
      "dev",
      "--outputs",
      outputs,
      "--snapshot",
      "2026-11-21T23:00:00Z",
    );
    const name = /Started (\S+)/.exec(started.stdout)?.[1] ?? "";
    const runs = await bin("runs", "--stage", "dev", "--outputs", outputs, "--status", "running");
    const watched = await bin("watch", "--stage", "dev", "--outputs", outputs, name);
    const missing = await bin(
      "watch",
      "--stage",
      "dev",
      "--outputs",
      outputs,
      "2026-01-01T00-full-deadbeef",
    );

    // Assess
    expect(started.code).toBe(0);
    expect(name).toMatch(/^2026-11-21T23-full-[0-9a-f]{8}$/);
    expect(started.stdout).toContain(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/`,
    );
    expect(runs.stdout).toContain(`${name} │ 2026-11-21T23Z │ full │ RUNNING`);
    expect(watched).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Execution SUCCEEDED"),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "was not found in region eu-west-1. List the recent ones with `runs --stage <stage>`.",
    );
  });
});
