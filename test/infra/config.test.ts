// Specification of the stage configuration: what a stage file may say, and how a bad one
// is reported (naming the file and each bad setting) before anything is synthesized.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listStages, loadStageConfig, parseStageConfig, STAGES_DIR } from "../../infra/config";
import { scratchFolder } from "./synth-support";

const scratch = scratchFolder("config");
afterAll(() => scratch.cleanup());

const valid = {
  stage: "dev",
  region: "eu-west-1",
  playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
  schedule: "rate(1 hour)",
  alertEmail: null,
  logRetentionDays: 14,
  athenaBytesScannedCutoff: 1073741824,
  backend: { type: "local", path: "terraform.spotify-lake-dev.tfstate" },
};

describe("parseStageConfig", () => {
  it("accepts a complete stage and fills the documented defaults", () => {
    const config = parseStageConfig(valid, "dev.json");
    expect(config).toEqual({
      stage: "dev",
      region: "eu-west-1",
      playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
      schedule: "rate(1 hour)",
      scheduleEnabled: false,
      crawl: "on-schema-change",
      crawlerLogGroup: "create",
      spotifyAppMode: "development",
      unavailablePlaylists: "fail",
      alertEmail: undefined,
      logRetentionDays: 14,
      athenaBytesScannedCutoff: 1073741824,
      athenaResultsRetentionDays: 7,
      noncurrentVersionRetentionDays: 30,
      artistMaxAgeHours: 24,
      extractConcurrency: 4,
      extractBatchSize: 25,
      playlistsObjectKey: undefined,
      backend: { type: "local", path: "terraform.spotify-lake-dev.tfstate" },
    });
  });

  it("takes unavailablePlaylists = warn, and refuses anything but fail or warn", () => {
    expect(parseStageConfig({ ...valid, unavailablePlaylists: "warn" }, "dev.json")).toMatchObject({
      unavailablePlaylists: "warn",
    });
    expect(() =>
      parseStageConfig({ ...valid, unavailablePlaylists: "ignore" }, "dev.json"),
    ).toThrow(/unavailablePlaylists must be one of fail, warn, got "ignore"/);
  });

  it("takes the extraction's concurrency and batch size, within Spotify's and Lambda's bounds", () => {
    expect(
      parseStageConfig({ ...valid, extractConcurrency: 8, extractBatchSize: 50 }, "dev.json"),
    ).toMatchObject({ extractConcurrency: 8, extractBatchSize: 50 });
    expect(() =>
      parseStageConfig({ ...valid, extractConcurrency: 0, extractBatchSize: 101 }, "dev.json"),
    ).toThrow(
      /extractConcurrency must be a whole number from 1 to 40, got 0; extractBatchSize must be a whole number from 1 to 100, got 101/,
    );
  });

  it("takes the playlist list from an object under config/ instead of the stage file", () => {
    const { playlists, ...withoutList } = valid;
    expect(playlists).toHaveLength(1);
    expect(
      parseStageConfig(
        { ...withoutList, playlistsObjectKey: "config/charts-10000.json" },
        "dev.json",
      ),
    ).toMatchObject({ playlists: [], playlistsObjectKey: "config/charts-10000.json" });
    expect(() =>
      parseStageConfig({ ...valid, playlistsObjectKey: "config/charts.json" }, "dev.json"),
    ).toThrow(/playlists must be left out when playlistsObjectKey names the list/);
    for (const bad of ["spotify/charts.json", "config/../_leases/x.json", "config/list.txt"]) {
      expect(() =>
        parseStageConfig({ ...withoutList, playlistsObjectKey: bad }, "dev.json"),
      ).toThrow(/playlistsObjectKey must be the key of a \.json object under config\//);
    }
  });

  it("accepts a cron schedule and an S3 backend", () => {
    const config = parseStageConfig(
      {
        ...valid,
        schedule: "cron(0 * * * ? *)",
        backend: {
          type: "s3",
          bucket: "acme-tf-state",
          key: "spotify-lake/dev.tfstate",
          region: "eu-west-1",
        },
      },
      "dev.json",
    );
    expect(config.schedule).toBe("cron(0 * * * ? *)");
    expect(config.backend).toEqual({
      type: "s3",
      bucket: "acme-tf-state",
      key: "spotify-lake/dev.tfstate",
      region: "eu-west-1",
    });
  });

  it.each([
    ["region", { region: "Europe" }, /region must be an AWS region/],
    ["playlists", { playlists: [] }, /playlists must be a non-empty array/],
    [
      "a playlist id",
      { playlists: ["3cEYpjA9oz9GiPac4AsH4n", "not-an-id"] },
      /playlists\[1\] must be a 22-character Spotify id, got "not-an-id"/,
    ],
    [
      "a repeated playlist",
      { playlists: ["3cEYpjA9oz9GiPac4AsH4n", "3cEYpjA9oz9GiPac4AsH4n"] },
      /playlists\[1\] repeats/,
    ],
    ["schedule", { schedule: "every hour" }, /schedule must be rate\(<n> <unit>\) or cron/],
    [
      "a rate with the wrong plural",
      { schedule: "rate(1 hours)" },
      /schedule must read like rate\(1 hour\)/,
    ],
    [
      "logRetentionDays",
      { logRetentionDays: 10 },
      /logRetentionDays must be one of CloudWatch's values/,
    ],
    [
      "athenaBytesScannedCutoff",
      { athenaBytesScannedCutoff: 1000 },
      /athenaBytesScannedCutoff must be a whole number of bytes >= 10485760/,
    ],
    ["alertEmail", { alertEmail: "ops" }, /alertEmail must be an e-mail address/],
    ["stage", { stage: "Dev_1" }, /stage must be 1-10 lower-case letters or digits/],
    [
      "an absolute state path",
      { backend: { type: "local", path: "/tmp/x.tfstate" } },
      /backend.path must be a relative path/,
    ],
    [
      "a state path leaving the repository",
      { backend: { type: "local", path: "../x.tfstate" } },
      /backend.path must be a relative path/,
    ],
    ["an unknown backend", { backend: { type: "gcs" } }, /backend.type must be "local" or "s3"/],
    [
      "an S3 backend with a bucket name S3 refuses",
      { backend: { type: "s3", bucket: "Not_A_Bucket", key: "k", region: "eu-west-1" } },
      /backend.bucket must be an S3 bucket name/,
    ],
    ["a misspelt setting", { logRetention: 14 }, /logRetention is not a known setting/],
    [
      "Spotify app mode",
      { spotifyAppMode: "premium" },
      /spotifyAppMode must be one of development, extended/,
    ],
    [
      "artist details age",
      { artistMaxAgeHours: 0.5 },
      /artistMaxAgeHours must be a whole number of hours from 1 to 8760, got 0.5/,
    ],
  ])("rejects a bad %s, naming the file and the setting", (_, override, message) => {
    expect(() => parseStageConfig({ ...valid, ...override }, "infra/stages/dev.json")).toThrowError(
      expect.objectContaining({
        name: "ConfigurationError",
        message: expect.stringMatching(message),
      }),
    );
    expect(() => parseStageConfig({ ...valid, ...override }, "infra/stages/dev.json")).toThrow(
      /infra\/stages\/dev\.json has 1 invalid setting/,
    );
  });

  it("lists every bad setting at once", () => {
    expect(() =>
      parseStageConfig({ ...valid, region: "x", logRetentionDays: 2 }, "dev.json"),
    ).toThrow(/has 2 invalid settings: region .*; logRetentionDays/);
  });
});

describe("loadStageConfig", () => {
  const stagesDir = path.join(scratch.dir, "stages");
  mkdirSync(stagesDir, { recursive: true });

  it("reads infra/stages/<stage>.json", () => {
    writeFileSync(path.join(stagesDir, "dev.json"), JSON.stringify(valid));
    expect(loadStageConfig("dev", stagesDir).stage).toBe("dev");
  });

  it("refuses a file whose stage differs from its name", () => {
    writeFileSync(path.join(stagesDir, "qa.json"), JSON.stringify(valid));
    expect(() => loadStageConfig("qa", stagesDir)).toThrow(
      /stage must equal the file name "qa", got "dev"/,
    );
  });

  it("names the known stages when asked for one without a file", () => {
    expect(() => loadStageConfig("staging", stagesDir)).toThrow(
      /"staging" has no file .*known stages: dev, qa/,
    );
  });

  it("reports a file that is not JSON", () => {
    writeFileSync(path.join(stagesDir, "broken.json"), "{ stage: dev }");
    expect(() => loadStageConfig("broken", stagesDir)).toThrow(/broken\.json is not valid JSON/);
  });
});

describe("day-one settings", () => {
  it("refuses an S3 backend without a state bucket, saying what to create", () => {
    expect(() =>
      parseStageConfig(
        {
          ...valid,
          backend: { type: "s3", key: "spotify-lake/prod.tfstate", region: "eu-west-1" },
        },
        "prod.json",
      ),
    ).toThrow(/backend\.bucket is required: the name of the S3 bucket you created/);
  });

  it("knows the two crawl policies and nothing else", () => {
    expect(parseStageConfig({ ...valid, crawl: "every-run" }, "dev.json").crawl).toBe("every-run");
    expect(() => parseStageConfig({ ...valid, crawl: "hourly" }, "dev.json")).toThrow(
      /crawl must be one of on-schema-change, every-run, got "hourly"/,
    );
  });

  it("no longer accepts the raw Glacier transition (raw objects are under S3's 128 KB transition floor)", () => {
    expect(() => parseStageConfig({ ...valid, rawColdStorageAfterDays: 90 }, "dev.json")).toThrow(
      /rawColdStorageAfterDays is not a known setting/,
    );
  });
});

describe("the shipped stage files", () => {
  it.each(listStages(STAGES_DIR).filter((stage) => stage !== "prod"))("%s is valid", (stage) => {
    expect(loadStageConfig(stage).stage).toBe(stage);
  });

  it("prod ships without a state bucket, so synthesizing it fails until one is named", () => {
    expect(() => loadStageConfig("prod")).toThrow(
      /prod\.json has 1 invalid setting: backend\.bucket is required/,
    );
  });

  it("dev does not run hourly and no shipped schedule starts enabled", () => {
    expect(loadStageConfig("dev").schedule).not.toMatch(/^rate\(1 hour\)$|^cron\(0 \* /);
    for (const stage of listStages(STAGES_DIR).filter((s) => s !== "prod")) {
      expect(loadStageConfig(stage).scheduleEnabled).toBe(false);
    }
  });
});
