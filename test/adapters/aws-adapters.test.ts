// The AWS implementations of the ports: the requests they make and how they read answers.

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import {
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  CrawlerRunningException,
  EntityNotFoundException,
  GetCrawlerCommand,
  GetTableCommand,
  GlueClient,
  StartCrawlerCommand,
} from "@aws-sdk/client-glue";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AthenaQueryEngine } from "../../functions/commons/aws/athena-query-engine";
import { GlueCatalog } from "../../functions/commons/aws/glue-catalog";
import { GlueCrawler } from "../../functions/commons/aws/glue-crawler";
import { S3ObjectStore } from "../../functions/commons/aws/s3-object-store";
import { spotifySecretFromSecretsManager } from "../../functions/commons/spotify-credentials";
import { createExtractPlaylistHandler } from "../../functions/extract-playlist/handler";
import { lambdaContext } from "../../local/lambda-runtime";
import type { SpotifyEmulator } from "../../local/spotify-emulator/server";
import { startSpotifyEmulator } from "../../local/spotify-emulator/server";
import { SAMPLE_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import { MemoryObjectStore } from "../support/memory-object-store";

const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const athena = mockClient(AthenaClient);
const secrets = mockClient(SecretsManagerClient);

beforeEach(() => {
  s3.reset();
  glue.reset();
  athena.reset();
  secrets.reset();
});

describe("Class: S3ObjectStore", () => {
  const store = new S3ObjectStore("raw-bucket", new S3Client({ region: "eu-west-1" }));

  it("puts whole objects with their content type", async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put("spotify/a.json", "{}", "application/json");
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: "raw-bucket",
      Key: "spotify/a.json",
      Body: "{}",
      ContentType: "application/json",
    });
  });

  it("reads an object's bytes, and undefined for a missing key", async () => {
    s3.on(GetObjectCommand, { Key: "here" }).resolves({
      // The SDK's streaming body, reduced to the one method the store uses.
      Body: { transformToByteArray: async () => new TextEncoder().encode("hello") } as never,
    });
    s3.on(GetObjectCommand, { Key: "gone" }).rejects(
      new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }),
    );
    expect(new TextDecoder().decode(await store.get("here"))).toBe("hello");
    expect(await store.get("gone")).toBeUndefined();
  });

  it("lists every page of keys under a prefix", async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: "p/b" }], IsTruncated: true, NextContinuationToken: "t1" })
      .resolvesOnce({ Contents: [{ Key: "p/a" }], IsTruncated: false });
    expect(await store.list("p/")).toEqual(["p/a", "p/b"]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input.ContinuationToken).toBe("t1");
  });

  it("deletes in batches of 1,000 and reports keys S3 could not delete", async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    await store.delete(Array.from({ length: 2001 }, (_, i) => `k${i}`));
    expect(
      s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length),
    ).toEqual([1000, 1000, 1]);
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: "k1", Code: "AccessDenied", Message: "no" }],
    });
    await expect(store.delete(["k1"])).rejects.toThrow(/k1: AccessDenied/);
  });
});

describe("Class: GlueCrawler", () => {
  const crawler = new GlueCrawler("spotify-lake-dev", new GlueClient({ region: "eu-west-1" }));

  it("starts the named crawler", async () => {
    glue.on(StartCrawlerCommand).resolves({});
    expect(await crawler.start()).toEqual({ alreadyRunning: false });
    expect(glue.commandCalls(StartCrawlerCommand)[0]!.args[0].input).toEqual({
      Name: "spotify-lake-dev",
    });
  });

  it("treats CrawlerRunningException as already started", async () => {
    glue.on(StartCrawlerCommand).rejects(
      new CrawlerRunningException({
        message: "Crawler with name spotify-lake-dev has already started",
        $metadata: {},
      }),
    );
    expect(await crawler.start()).toEqual({ alreadyRunning: true });
  });

  it("reads the state and the last crawl's outcome", async () => {
    const startTime = new Date("2026-11-22T05:21:00Z");
    glue.on(GetCrawlerCommand).resolves({
      Crawler: {
        Name: "spotify-lake-dev",
        State: "READY",
        LastCrawl: {
          Status: "FAILED",
          StartTime: startTime,
          ErrorMessage: "Internal Service Exception",
        },
      },
    });
    expect(await crawler.status()).toEqual({
      state: "READY",
      lastCrawl: { status: "FAILED", startTime, errorMessage: "Internal Service Exception" },
    });
  });
});

describe("Class: GlueCatalog", () => {
  const catalog = new GlueCatalog(
    "spotify_lake_dev",
    "lake-bucket",
    new GlueClient({ region: "eu-west-1" }),
  );
  const descriptor = {
    Columns: [
      { Name: "artist_id", Type: "string" },
      { Name: "genres", Type: "array<string>" },
    ],
    Location: "s3://lake-bucket/artists_data/",
    SerdeInfo: {
      SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    },
  };

  /** A table Glue has, whose BatchCreatePartition refuses one partition with `code`. */
  const glueRefuses = (code: string, message: string) => {
    glue
      .on(GetTableCommand)
      .resolves({ Table: { Name: "songs_data", StorageDescriptor: descriptor } });
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ["2026-11-22", "05"],
          ErrorDetail: { ErrorCode: code, ErrorMessage: message },
        },
      ],
    });
  };

  it("reads a table's columns, and undefined for a table Glue does not have", async () => {
    glue.on(GetTableCommand, { Name: "artists_data" }).resolves({
      Table: { Name: "artists_data", StorageDescriptor: descriptor },
    });
    glue
      .on(GetTableCommand, { Name: "songs_data" })
      .rejects(
        new EntityNotFoundException({ message: "Table songs_data not found.", $metadata: {} }),
      );
    expect(await catalog.tableColumns("artists_data")).toEqual([
      { name: "artist_id", type: "string" },
      { name: "genres", type: "array<string>" },
    ]);
    expect(await catalog.tableColumns("songs_data")).toBeUndefined();
  });

  const VERSION_FOLDER = (table: string, date = "2026-11-22", hour = "05") =>
    `${table}/snapshot_date=${date}/snapshot_hour=${hour}/version=0123456789abcdef/`;
  const hourOf = (table: string, date = "2026-11-22", hour = "05") => ({
    table,
    date,
    hour,
    folder: VERSION_FOLDER(table, date, hour),
  });

  it("registers a new partition with the table's storage descriptor at the version's folder", async () => {
    glue
      .on(GetTableCommand)
      .resolves({ Table: { Name: "artists_data", StorageDescriptor: descriptor } });
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    expect(await catalog.pointPartitions([hourOf("artists_data")])).toEqual({
      added: 1,
      existing: 0,
    });
    expect(glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input).toEqual({
      DatabaseName: "spotify_lake_dev",
      TableName: "artists_data",
      PartitionInputList: [
        {
          Values: ["2026-11-22", "05"],
          StorageDescriptor: {
            ...descriptor,
            Location: `s3://lake-bucket/${VERSION_FOLDER("artists_data")}`,
          },
        },
      ],
    });
    expect(glue.commandCalls(BatchUpdatePartitionCommand)).toHaveLength(0);
  });

  it("moves a partition that already exists to the new folder with BatchUpdatePartition", async () => {
    glueRefuses("AlreadyExistsException", "exists");
    glue.on(BatchUpdatePartitionCommand).resolves({ Errors: [] });
    expect(await catalog.pointPartitions([hourOf("songs_data")])).toEqual({
      added: 0,
      existing: 1,
    });
    expect(glue.commandCalls(BatchUpdatePartitionCommand)[0]!.args[0].input).toEqual({
      DatabaseName: "spotify_lake_dev",
      TableName: "songs_data",
      Entries: [
        {
          PartitionValueList: ["2026-11-22", "05"],
          PartitionInput: {
            Values: ["2026-11-22", "05"],
            StorageDescriptor: {
              ...descriptor,
              Location: `s3://lake-bucket/${VERSION_FOLDER("songs_data")}`,
            },
          },
        },
      ],
    });
  });

  it("works in calls of at most 100 partitions per table", async () => {
    glueRefuses("AlreadyExistsException", "exists");
    glue.on(BatchUpdatePartitionCommand).resolves({ Errors: [] });
    const partitions = Array.from({ length: 150 }, (_, i) =>
      hourOf(
        "songs_data",
        // Seven days from 2026-11-16, so the last batch holds 2026-11-22 05, which exists.
        `2026-11-${String(16 + Math.floor(i / 24))}`,
        String(i % 24).padStart(2, "0"),
      ),
    );
    expect(await catalog.pointPartitions(partitions)).toEqual({ added: 149, existing: 1 });
    const calls = glue.commandCalls(BatchCreatePartitionCommand);
    expect(calls.map((c) => c.args[0].input.PartitionInputList!.length)).toEqual([100, 50]);
    const moved = glue.commandCalls(BatchUpdatePartitionCommand);
    expect(moved.map((c) => c.args[0].input.Entries!.map((e) => e.PartitionValueList))).toEqual([
      [["2026-11-22", "05"]],
    ]);
  });

  it("fails with CrawlerFailedError on any other refusal, and changes nothing when a table is missing", async () => {
    glueRefuses("ResourceNumberLimitExceededException", "too many");
    await expect(catalog.pointPartitions([hourOf("songs_data")])).rejects.toMatchObject({
      name: "CrawlerFailedError",
      message: expect.stringContaining("ResourceNumberLimitExceededException too many"),
    });
    glue.reset();
    glue.on(GetTableCommand, { Name: "songs_data" }).resolves({
      Table: { Name: "songs_data", StorageDescriptor: descriptor },
    });
    glue
      .on(GetTableCommand, { Name: "albums_data" })
      .rejects(new EntityNotFoundException({ message: "no", $metadata: {} }));
    await expect(
      catalog.pointPartitions([hourOf("songs_data"), hourOf("albums_data")]),
    ).rejects.toMatchObject({
      name: "CrawlerFailedError",
      message: expect.stringMatching(/albums_data does not exist/),
    });
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
  });

  it("fails with CrawlerFailedError when Glue refuses to move a partition", async () => {
    glueRefuses("AlreadyExistsException", "exists");
    glue.on(BatchUpdatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValueList: ["2026-11-22", "05"],
          ErrorDetail: { ErrorCode: "InternalServiceException", ErrorMessage: "later" },
        },
      ],
    });
    await expect(catalog.pointPartitions([hourOf("songs_data")])).rejects.toMatchObject({
      name: "CrawlerFailedError",
      message: expect.stringContaining("InternalServiceException later"),
    });
  });
});

describe("Class: AthenaQueryEngine", () => {
  const engine = new AthenaQueryEngine(
    "spotify-lake-dev",
    "spotify_lake_dev",
    new AthenaClient({ region: "eu-west-1" }),
  );

  it("starts queries in the workgroup and database", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    expect(await engine.start("SELECT 1")).toBe("q-1");
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: "SELECT 1",
      WorkGroup: "spotify-lake-dev",
      QueryExecutionContext: { Database: "spotify_lake_dev" },
    });
  });

  it("reports a failure's reason and whether Athena says it is retryable", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: "FAILED",
          StateChangeReason: "Throttled",
          AthenaError: {
            ErrorCategory: 1,
            ErrorType: 1,
            Retryable: true,
            ErrorMessage: "Rate exceeded",
          },
        },
        Statistics: { DataScannedInBytes: 0 },
      },
    });
    expect(await engine.status("q-1")).toEqual({
      state: "FAILED",
      reason: "Rate exceeded",
      retryable: true,
      bytesScanned: 0,
    });
  });

  it("pages through results and drops the header row", async () => {
    const row = (...v: string[]) => ({ Data: v.map((VarCharValue) => ({ VarCharValue })) });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: { Rows: [row("row_count", "null_keys"), row("830", "0")] },
        NextToken: "n",
      })
      .resolvesOnce({ ResultSet: { Rows: [row("12", "1")] } });
    expect(await engine.rows("q-1")).toEqual([
      { row_count: "830", null_keys: "0" },
      { row_count: "12", null_keys: "1" },
    ]);
  });
});

describe("Spotify secret through @middy/secrets-manager", () => {
  let emulator: SpotifyEmulator;
  beforeAll(async () => {
    emulator = await startSpotifyEmulator({});
  });
  afterAll(() => emulator.close());

  it("reads the secret once for warm invocations and extracts with it", async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        clientId: emulator.credentials.clientId,
        clientSecret: emulator.credentials.clientSecret,
        refreshToken: emulator.credentials.refreshToken,
      }),
    });
    const rawStore = new MemoryObjectStore();
    const handler = createExtractPlaylistHandler({
      rawStore,
      spotifySecret: spotifySecretFromSecretsManager(
        "arn:aws:secretsmanager:eu-west-1:1:secret:spotify",
      ),
      spotifySettings: {
        apiBaseUrl: emulator.apiBaseUrl,
        accountsBaseUrl: emulator.accountsBaseUrl,
      },
    });
    const run = { snapshot: "2026-11-22T05:00:00.000Z", executionId: "e1" };
    for (const playlistId of SAMPLE_PLAYLIST_IDS.slice(0, 2)) {
      const result = await handler({ run, playlistId }, lambdaContext("extract-playlist"));
      expect(result).toMatchObject({ available: true, playlistId });
    }
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(emulator.requestLog.filter((r) => r.path === "/api/token")).toHaveLength(1);
  });

  it("fails with ConfigurationError naming the missing field, never echoing the secret", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ clientId: "id-only" }) });
    const handler = createExtractPlaylistHandler({
      rawStore: new MemoryObjectStore(),
      spotifySecret: spotifySecretFromSecretsManager(
        "arn:aws:secretsmanager:eu-west-1:1:secret:other",
      ),
    });
    const call = handler(
      {
        run: { snapshot: "2026-11-22T05:00:00.000Z", executionId: "e2" },
        playlistId: SAMPLE_PLAYLIST_IDS[0],
      },
      lambdaContext("extract-playlist"),
    );
    await expect(call).rejects.toMatchObject({ name: "ConfigurationError" });
    await expect(call).rejects.toThrow(/clientSecret/);
  });
});
