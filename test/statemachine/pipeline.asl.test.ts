// The state machine definition (statemachine/pipeline.asl.json): valid ASL in the JSONPath
// dialect the local interpreter runs, one error vocabulary with the code, and the retries AWS
// recommends on every Lambda Task. Which step each Task calls is pipeline.test.ts's part.

import aslValidator from "asl-validator";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  PIPELINE_ERROR_NAMES,
  PIPELINE_ERROR_ORIGINS,
  PipelineError,
} from "../../functions/commons/errors";
import {
  PIPELINE_DEFINITION_FILE,
  allStates as allStatesOf,
  taskStates,
} from "../../statemachine/pipeline";

type State = Record<string, unknown> & { Type: string };
const definition = JSON.parse(readFileSync(PIPELINE_DEFINITION_FILE, "utf8")) as {
  States: Record<string, State>;
};

const allStates = (states: Record<string, State>) =>
  allStatesOf(states as never) as unknown as [string, State][];

const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
];

describe("statemachine/pipeline.asl.json", () => {
  it("is valid Amazon States Language", () => {
    const result = aslValidator(definition as never, { checkArn: false, checkPaths: true });
    expect(result.errorsText()).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("uses JSONPath only, which the local interpreter can run", () => {
    const text = readFileSync(PIPELINE_DEFINITION_FILE, "utf8");
    expect(text).not.toContain("JSONata");
    expect(text).not.toContain('"Assign"');
  });

  it("invokes functions only through ${...FunctionArn} placeholders", () => {
    const refs = taskStates(definition.States as never).map((t) => t.functionRef);
    expect(refs.length).toBeGreaterThanOrEqual(8);
    for (const ref of refs) expect(ref).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
  });

  it("retries Lambda service errors on every Lambda Task, as AWS recommends", () => {
    for (const [name, state] of allStates(definition.States)) {
      if (state.Type !== "Task") continue;
      const retriers = state.Retry as { ErrorEquals: string[]; MaxAttempts: number }[];
      const lambdaRetrier = retriers.find((r) => r.ErrorEquals.includes("Lambda.ServiceException"));
      expect(lambdaRetrier?.ErrorEquals, name).toEqual(
        expect.arrayContaining(LAMBDA_SERVICE_ERRORS),
      );
      expect(lambdaRetrier?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
    }
  });

  it("names only errors from the shared vocabulary (or AWS's own)", () => {
    const named = new Set<string>();
    for (const [, state] of allStates(definition.States)) {
      for (const rule of [
        ...((state.Retry as { ErrorEquals: string[] }[]) ?? []),
        ...((state.Catch as { ErrorEquals: string[] }[]) ?? []),
      ]) {
        rule.ErrorEquals.forEach((e) => named.add(e));
      }
      if (state.Type === "Fail" && typeof state.Error === "string") named.add(state.Error);
    }
    const ours = [...named].filter((e) => !e.startsWith("Lambda.") && !e.startsWith("States."));
    expect(ours.length).toBeGreaterThan(3);
    for (const name of ours) expect(PIPELINE_ERROR_NAMES, name).toContain(name);
  });

  it("raises every name of the vocabulary from its own class or from a Fail state", () => {
    const failErrors = allStates(definition.States).flatMap(([, state]) =>
      state.Type === "Fail" ? [state.Error] : [],
    );
    for (const [name, origin] of Object.entries(PIPELINE_ERROR_ORIGINS)) {
      if (origin === "state machine") {
        expect(failErrors, name).toContain(name);
        continue;
      }
      const ErrorClass = origin as unknown as new (...args: unknown[]) => PipelineError;
      const error = new ErrorClass("x", "y", "z");
      expect(error, name).toBeInstanceOf(PipelineError);
      expect(error.name).toBe(name);
    }
  });

  it("lets Task errors fail the execution at that step, so a redrive resumes there", () => {
    // A Catch routing to a Fail state would make a redrive re-run the Fail state and fail again.
    for (const [name, state] of allStates(definition.States)) {
      if (state.Type !== "Task" && state.Type !== "Map") continue;
      const catchers = (state.Catch as { ErrorEquals: string[] }[] | undefined) ?? [];
      for (const catcher of catchers) expect(catcher.ErrorEquals, name).not.toContain("States.ALL");
    }
  });

  it("re-reads the Spotify secret once when Spotify refuses the credentials", () => {
    for (const name of ["ExtractPlaylistBatch", "ExtractArtists"]) {
      const state = allStates(definition.States).find(([n]) => n === name)![1];
      expect(state.Retry).toContainEqual(
        expect.objectContaining({ ErrorEquals: ["SpotifyAuthError"], MaxAttempts: 1 }),
      );
    }
  });

  it("never retries an expired authorization or a spent rate limit, naming both where the retries are", () => {
    for (const name of ["ExtractPlaylistBatch", "ExtractArtists"]) {
      const state = allStates(definition.States).find(([n]) => n === name)![1];
      const retried = (state.Retry as { ErrorEquals: string[]; Comment?: string }[]).flatMap(
        (r) => r.ErrorEquals,
      );
      expect(retried).not.toContain("SpotifyAuthorizationExpiredError");
      expect(retried).not.toContain("SpotifyRateLimitedError");
      expect(JSON.stringify(state.Retry)).toContain(
        "Not retried, on purpose: SpotifyAuthorizationExpiredError",
      );
    }
  });

  it("bounds both polling loops with a named timeout", () => {
    for (const [choice, timeout] of [
      ["IsCrawlerDone", "CrawlerTimeoutError"],
      ["AreChecksDone", "ValidationTimeoutError"],
    ] as const) {
      const rules = definition.States[choice]!.Choices as { Next: string }[];
      const targets = rules.map((r) => definition.States[r.Next]);
      expect(targets).toContainEqual(expect.objectContaining({ Type: "Fail", Error: timeout }));
    }
  });

  it("extracts playlists in a Distributed Map: items from the run's object, batches, results to the raw bucket", () => {
    expect(definition.States.ExtractPlaylists).toMatchObject({
      Type: "Map",
      ItemProcessor: {
        ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
        StartAt: "ExtractPlaylistBatch",
      },
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        ReaderConfig: { InputType: "JSON" },
        Parameters: { Bucket: "${RawBucketName}", "Key.$": "$.run.playlistItems.key" },
      },
      ItemBatcher: { MaxItemsPerBatchPath: "$.run.extractBatchSize" },
      // Bounded by the stage's setting (Spotify's rolling window), not by the Map's default.
      MaxConcurrencyPath: "$.run.extractConcurrency",
      ToleratedFailurePercentage: 0,
      ResultWriter: {
        Resource: "arn:aws:states:::s3:putObject",
        Parameters: { Bucket: "${RawBucketName}" },
      },
    });
    const map = definition.States.ExtractPlaylists as unknown as {
      ResultWriter: { Parameters: Record<string, string> };
      ResultSelector: Record<string, string>;
    };
    expect(map.ResultWriter.Parameters["Prefix.$"]).toContain("spotify/map-runs/");
    // Only the results' key and the Map Run leave the Map: no per-playlist outcome.
    expect(Object.values(map.ResultSelector).sort()).toEqual([
      "$.MapRunArn",
      "$.ResultWriterDetails.Key",
    ]);
  });

  it("keeps the playlist list and its outcomes out of the state after PrepareRun", () => {
    const text = JSON.stringify(definition);
    expect(text).not.toContain("$.run.playlists");
    expect(text).not.toContain("playlistOutcomes");
    const artists = definition.States.ExtractArtists as unknown as {
      Parameters: { Payload: object };
    };
    expect(Object.keys(artists.Parameters.Payload).sort()).toEqual(["rateLimitWaits.$", "run.$"]);
  });
});
