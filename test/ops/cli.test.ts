// The operations CLI's command layer (ops/cli.ts), in process: every verb in --help, the
// local verbs on a local lake (query's formats, runs from the run records), the refusals
// that need no AWS (watch without --stage, --stage with --local, a bad --since), and an
// AWS verb against a mocked Step Functions through an outputs file.

import { ListExecutionsCommand, DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main, sinceOf } from "../../ops/cli";
import { newDataDir, runWithEmulator } from "../support/local-run";

/** Runs the CLI, capturing what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  const write = vi
    .spyOn(process.stdout, "write")
    .mockImplementation((chunk) => (out.push(String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

describe("Command: spotify-lake", () => {
  it("lists every verb in --help", async () => {
    const { code, stdout } = await cli("--help");
    expect(code).toBe(0);
    for (const verb of [
      "start",
      "watch",
      "runs",
      "backfill",
      "redrive",
      "query",
      "authorize",
      "doctor",
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${verb} `, "m"));
    }
  });

  it("refuses what it cannot do, saying why, before any AWS call", async () => {
    expect(await cli("watch", "some-run")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("pass --stage <stage>"),
    });
    expect(await cli("runs", "--stage", "dev", "--local")).toMatchObject({
      code: 1,
      stderr: "--stage and --local exclude each other",
    });
    expect(await cli("backfill", "--from", "2026-11-22T00:00:00Z")).toMatchObject({ code: 2 });
    expect(
      await cli("start", "--stage", "dev", "--replay", "test/fixtures/recorded-spotify"),
    ).toMatchObject({
      code: 1,
      stderr: "--replay works on the local pipeline only: leave it out with --stage",
    });
    expect(() => sinceOf("last week")).toThrow(
      "--since must be an ISO time or a span such as 24h or 7d, got last week",
    );
    expect(sinceOf("24h", new Date("2026-11-23T00:00:00Z")).toISOString()).toBe(
      "2026-11-22T00:00:00.000Z",
    );
  });
});

describe("Command: query and runs, local", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = newDataDir();
    const input = { snapshot: "2026-11-22T05:00:00Z" };
    await runWithEmulator({ dataDir, input });
  });

  it("prints a table, CSV or JSON of the local tables", async () => {
    const sql = "SELECT snapshot_hour, COUNT(*) AS playlists FROM playlists_data GROUP BY 1";
    const table = await cli("query", "--data-dir", dataDir, sql);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^snapshot_hour │ playlists\n/);
    expect(table.stdout).toContain("(1 row)");
    const csv = await cli("query", "--data-dir", dataDir, "--csv", sql);
    expect(csv.stdout).toMatch(/^snapshot_hour,playlists\r\n05,\d+$/);
    const json = await cli("query", "--data-dir", dataDir, "--json", sql);
    expect(JSON.parse(json.stdout)).toEqual([
      { snapshot_hour: "05", playlists: expect.any(String) },
    ]);
  });

  it("reports a refused or failing statement with its reason", async () => {
    const refused = await cli("query", "--data-dir", dataDir, "COPY songs_data TO '/tmp/x.csv'");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Query failed: /);
  });

  it("lists the local runs from their records", async () => {
    const { code, stdout } = await cli("runs", "--data-dir", dataDir, "--status", "succeeded");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /local-\S+ │ 2026-11-22T05Z │ full │ SUCCEEDED │ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │ [\d.]+ s +│ [1-9]\d*/,
    );
  });
});

describe("Command: runs --stage", () => {
  const sfnMock = mockClient(SFNClient);
  afterEach(() => sfnMock.reset());

  it("reads the state machine from the outputs file and prints the recent runs", async () => {
    const machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:spotify-lake-dev-pipeline";
    const outputs = join(mkdtempSync(join(tmpdir(), "ops-cli-")), "outputs.json");
    writeFileSync(outputs, JSON.stringify({ state_machine_arn: { value: machine } }));
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: machine }).resolves({
      executions: [
        {
          name: "2026-11-22T05-full-00c0ffee",
          executionArn: `${machine.replace(":stateMachine:", ":execution:")}:2026-11-22T05-full-00c0ffee`,
          stateMachineArn: machine,
          status: "RUNNING",
          startDate: new Date("2026-11-22T06:00:00Z"),
        },
      ],
    });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ input: '{"snapshot":"2026-11-22T05:00:00.000Z"}' });

    const { code, stdout } = await cli("runs", "--stage", "dev", "--outputs", outputs);

    expect(code).toBe(0);
    expect(stdout).toContain("2026-11-22T05-full-00c0ffee │ 2026-11-22T05Z │ full │ RUNNING");
  });
});

describe("Command: backfill, local", () => {
  it("takes each hour from the sample as it stands then, so the history shows the changes", async () => {
    // Arrange: an empty lake; the emulator's sample evolves with the snapshot hour.
    const dataDir = newDataDir();

    // Act
    const { code } = await cli(
      "backfill",
      "--from",
      "2026-11-22T00:00:00Z",
      "--to",
      "2026-11-22T03:00:00Z",
      "--data-dir",
      dataDir,
    );

    // Assess: four hours, and playlists that changed between them show as moves and entries.
    expect(code).toBe(0);
    const statuses = await cli(
      "query",
      "--data-dir",
      dataDir,
      "--json",
      "SELECT snapshot_hour, status, COUNT(*) AS n FROM playlist_positions GROUP BY ALL ORDER BY ALL",
    );
    const rows = JSON.parse(statuses.stdout) as { snapshot_hour: string; status: string }[];
    expect([...new Set(rows.map((r) => r.snapshot_hour))]).toEqual(["00", "01", "02", "03"]);
    expect(rows.filter((r) => r.snapshot_hour !== "00").map((r) => r.status)).toEqual(
      expect.arrayContaining(["same", "up"]),
    );
    expect(rows.some((r) => r.snapshot_hour !== "00" && r.status === "new")).toBe(true);
  }, 120_000);
});
