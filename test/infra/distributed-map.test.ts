// Specification of the stack around a Distributed Map ExtractPlaylists (issue 16): the raw
// bucket substituted into its ItemReader and ResultWriter, the state machine role's grants
// for it, and a synth that fails when the Map reads or writes anything those grants do not
// cover. The grants are proven call by call in permissions.test.ts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionBundle } from "../../infra/bundle";
import { distributedMapsOf } from "../../infra/state-machine-definition";
import { distributedTemplate, distributedDefinitionFile } from "./distributed-definition";
import {
  onlyResource,
  resourcesOf,
  scratchFolder,
  sharedBundles,
  stageConfig,
  synthStage,
  type Statement,
  type Synth,
} from "./synth-support";

const scratch = scratchFolder("distributed-map");
let bundles: FunctionBundle[];
afterAll(() => scratch.cleanup());
beforeAll(async () => {
  bundles = await sharedBundles();
});

const synthWith = (file: string) => synthStage(stageConfig(), bundles, { definitionFile: file });

function stateMachinePolicy(synth: Synth): Statement[] {
  const policy = Object.values(resourcesOf(synth, "aws_iam_role_policy")).find(
    (p) => p.name === "run-pipeline",
  )!;
  return (JSON.parse(String(policy.policy)) as { Statement: Statement[] }).Statement;
}
const bySid = (statements: Statement[], sid: string) => statements.find((s) => s.Sid === sid);

const RAW_BUCKET = "${aws_s3_bucket.storage_raw_bucket_0EBA1063.bucket}";
const RAW_ARN = "${aws_s3_bucket.storage_raw_bucket_0EBA1063.arn}";
const STATES =
  "arn:${data.aws_partition.current_partition.partition}:states:eu-west-1:${data.aws_caller_identity.current_account.account_id}";

describe("A Distributed Map ExtractPlaylists in the stack", () => {
  it("reads its items from and writes its results to the raw bucket, by name", () => {
    const synth = synthWith(distributedDefinitionFile(scratch.dir, "STANDARD"));
    const definition = JSON.parse(
      String(onlyResource(synth, "aws_sfn_state_machine").definition),
    ) as {
      States: { ExtractPlaylists: Record<string, { Parameters: Record<string, string> }> };
    };
    const map = definition.States.ExtractPlaylists;
    expect(map.ItemReader!.Parameters.Bucket).toBe(RAW_BUCKET);
    expect(map.ResultWriter!.Parameters.Bucket).toBe(RAW_BUCKET);
  });

  it("lets Standard children start, be watched, stopped and redriven, scoped to the Map Run label", () => {
    const statements = stateMachinePolicy(
      synthWith(distributedDefinitionFile(scratch.dir, "STANDARD", { label: "ExtractPlaylists" })),
    );
    const children = `${STATES}:execution:spotify-lake-test-pipeline/ExtractPlaylists:*`;
    const own = `${STATES}:execution:spotify-lake-test-pipeline:*`;
    expect(bySid(statements, "ExtractPlaylistsStartChildExecutions")).toMatchObject({
      Action: ["states:StartExecution"],
      Resource: [`${STATES}:stateMachine:spotify-lake-test-pipeline`],
    });
    expect(bySid(statements, "ExtractPlaylistsWatchChildExecutions")?.Resource).toEqual([
      children,
      own,
    ]);
    expect(bySid(statements, "ExtractPlaylistsStopChildExecutions")?.Resource).toEqual([
      children,
      own,
    ]);
    expect(bySid(statements, "ExtractPlaylistsRedriveChildExecutions")).toMatchObject({
      Action: ["states:RedriveExecution"],
      Resource: [children],
    });
  });

  it("lets Express children be started and watched, and grants no redrive (they restart)", () => {
    const statements = stateMachinePolicy(
      synthWith(distributedDefinitionFile(scratch.dir, "EXPRESS")),
    );
    expect(bySid(statements, "ExtractPlaylistsWatchChildExecutions")?.Resource).toEqual([
      `${STATES}:express:spotify-lake-test-pipeline/*:*`,
      `${STATES}:execution:spotify-lake-test-pipeline:*`,
    ]);
    expect(bySid(statements, "ExtractPlaylistsRedriveChildExecutions")).toBeUndefined();
  });

  it("grants the items objects for reading and the Map Run results prefix for writing, nothing wider", () => {
    const statements = stateMachinePolicy(
      synthWith(distributedDefinitionFile(scratch.dir, "EXPRESS")),
    );
    expect(bySid(statements, "ExtractPlaylistsReadItems")).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: [`${RAW_ARN}/spotify/runs/*/playlist-items/sha256=*.json`],
    });
    expect(bySid(statements, "ExtractPlaylistsWriteResults")).toMatchObject({
      Action: [
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
      ],
      Resource: [`${RAW_ARN}/spotify/map-runs/*/*`],
    });
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action ?? []));
    expect(actions).not.toContain("s3:ListBucket");
    expect(actions).not.toContain("s3:DeleteObject");
  });
});

describe("distributedMapsOf", () => {
  const template = (mutate: (map: Record<string, unknown>) => void) => {
    const definition = JSON.parse(distributedTemplate("STANDARD")) as {
      States: { ExtractPlaylists: Record<string, unknown> };
    };
    mutate(definition.States.ExtractPlaylists);
    return JSON.stringify(definition);
  };

  it("finds the Distributed Map with its child type, label and child states", () => {
    const [map, ...others] = distributedMapsOf(
      distributedTemplate("EXPRESS", { label: "Extract" }),
      "t.json",
    );
    expect(others).toEqual([]);
    expect(map).toMatchObject({ state: "ExtractPlaylists", label: "Extract" });
    expect(map!.executionType).toBe("EXPRESS");
    expect(Object.keys(map!.childStates).length).toBeGreaterThan(0);
  });

  it("refuses an ItemReader the role is not granted for (listing objects, another bucket)", () => {
    const listing = template((map) => {
      (map.ItemReader as Record<string, unknown>).Resource = "arn:aws:states:::s3:listObjectsV2";
    });
    expect(() => distributedMapsOf(listing, "t.json")).toThrow(
      /t\.json state ExtractPlaylists must read its items with ItemReader arn:aws:states:::s3:getObject/,
    );
    const elsewhere = template((map) => {
      (map.ItemReader as { Parameters: Record<string, string> }).Parameters.Bucket = "other";
    });
    expect(() => distributedMapsOf(elsewhere, "t.json")).toThrow(/from Bucket \$\{RawBucketName\}/);
  });

  it("refuses a ResultWriter outside the raw bucket and a missing child execution type", () => {
    const noWriter = template((map) => delete map.ResultWriter);
    expect(() => distributedMapsOf(noWriter, "t.json")).toThrow(
      /must write its results with ResultWriter arn:aws:states:::s3:putObject/,
    );
    const noType = template((map) => {
      (map.ItemProcessor as { ProcessorConfig: Record<string, string> }).ProcessorConfig = {
        Mode: "DISTRIBUTED",
      };
    });
    expect(() => distributedMapsOf(noType, "t.json")).toThrow(
      /needs ItemProcessor\.ProcessorConfig\.ExecutionType EXPRESS or STANDARD, got undefined/,
    );
  });
});
