// The AWS adapters over the real wire protocol: the same classes the Lambdas use, talking to
// moto's server through the AWS SDK (requests signed, serialized and parsed as against AWS),
// where test/adapters/aws-adapters.test.ts only checks the commands they build.

import {
  CreateDatabaseCommand,
  CreateCrawlerCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GlueClient,
} from "@aws-sdk/client-glue";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GlueCatalog } from "../../functions/commons/aws/glue-catalog";
import { GlueCrawler } from "../../functions/commons/aws/glue-crawler";
import { S3ObjectStore } from "../../functions/commons/aws/s3-object-store";
import { spotifySecretStore } from "../../functions/commons/aws/spotify-secret-store";
import { catalogColumnsOf } from "../../functions/core/transform/schema";
import { REPO_ROOT } from "../../infra/bundle";
import { sdkConfig, startMoto, type Moto } from "./moto";

let moto: Moto;
const work = (() => {
  const parent = path.join(REPO_ROOT, ".local", "test-deploy");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(path.join(parent, "wire-"));
})();

beforeAll(async () => {
  moto = await startMoto(path.join(work, "moto.log"));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("S3ObjectStore against moto", () => {
  const s3 = () => new S3Client({ ...sdkConfig(moto.endpoint), forcePathStyle: true });

  it("writes conditionally: If-None-Match on absent objects, If-Match on the seen ETag", async () => {
    await s3().send(
      new CreateBucketCommand({
        Bucket: "wire-raw",
        CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
      }),
    );
    const store = new S3ObjectStore("wire-raw", s3());
    expect(await store.putIfUnchanged("_leases/lease.json", "first", undefined)).toBe(true);
    expect(await store.putIfUnchanged("_leases/lease.json", "second", undefined)).toBe(false);
    const seen = await store.getVersioned("_leases/lease.json");
    expect(new TextDecoder().decode(seen!.body)).toBe("first");
    expect(await store.putIfUnchanged("_leases/lease.json", "third", seen!.etag)).toBe(true);
    expect(await store.putIfUnchanged("_leases/lease.json", "fourth", seen!.etag)).toBe(false);
  });

  it("lists every key across pages and deletes in batches", async () => {
    const store = new S3ObjectStore("wire-raw", s3());
    const keys = Array.from(
      { length: 1105 },
      (_, i) => `spotify/p/${String(i).padStart(5, "0")}.json`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((key) => store.put(key, "{}", "application/json")),
      );
    }
    expect(await store.list("spotify/p/")).toEqual(keys);
    await store.delete(keys);
    expect(await store.list("spotify/p/")).toEqual([]);
    expect(await store.get("spotify/p/00000.json")).toBeUndefined();
  }, 120_000);
});

describe("GlueCatalog and GlueCrawler against moto", () => {
  const glue = () => new GlueClient(sdkConfig(moto.endpoint));

  it("reads a table's columns, registers a partition and moves it to another version", async () => {
    await glue().send(new CreateDatabaseCommand({ DatabaseInput: { Name: "wire_db" } }));
    await glue().send(
      new CreateTableCommand({
        DatabaseName: "wire_db",
        TableInput: {
          Name: "artists_data",
          PartitionKeys: [
            { Name: "snapshot_date", Type: "string" },
            { Name: "snapshot_hour", Type: "string" },
          ],
          StorageDescriptor: {
            Columns: catalogColumnsOf("artists_data").map((c) => ({ Name: c.name, Type: c.type })),
            Location: "s3://wire-lake/artists_data/",
          },
        },
      }),
    );
    const catalog = new GlueCatalog("wire_db", "wire-lake", glue());
    expect(await catalog.tableColumns("artists_data")).toEqual(catalogColumnsOf("artists_data"));
    expect(await catalog.tableColumns("songs_data")).toBeUndefined();
    const at = (version: string) => [
      {
        table: "artists_data",
        date: "2026-11-22",
        hour: "05",
        folder: `artists_data/snapshot_date=2026-11-22/snapshot_hour=05/version=${version}/`,
      },
    ];
    expect(await catalog.pointPartitions(at("0000000000000001"))).toEqual({
      added: 1,
      existing: 0,
    });
    expect(await catalog.pointPartitions(at("0000000000000002"))).toEqual({
      added: 0,
      existing: 1,
    });
    const { Partitions } = await glue().send(
      new GetPartitionsCommand({ DatabaseName: "wire_db", TableName: "artists_data" }),
    );
    expect(Partitions!.map((p) => [p.Values, p.StorageDescriptor!.Location])).toEqual([
      [
        ["2026-11-22", "05"],
        "s3://wire-lake/artists_data/snapshot_date=2026-11-22/snapshot_hour=05/version=0000000000000002/",
      ],
    ]);
  });

  it("starts the crawler, joins a running crawl, and reads its state", async () => {
    await glue().send(
      new CreateCrawlerCommand({
        Name: "wire-crawler",
        Role: "arn:aws:iam::123456789012:role/wire",
        DatabaseName: "wire_db",
        Targets: { S3Targets: [{ Path: "s3://wire-lake/artists_data/" }] },
      }),
    );
    const crawler = new GlueCrawler("wire-crawler", glue());
    expect(await crawler.start()).toEqual({ alreadyRunning: false });
    expect(await crawler.start()).toEqual({ alreadyRunning: true });
    expect((await crawler.status()).state).toBe("RUNNING");
  });
});

describe("Spotify secret write-back against moto", () => {
  it("stores rotated credentials in the secret and reads them back", async () => {
    const client = new SecretsManagerClient(sdkConfig(moto.endpoint));
    await client.send(
      new CreateSecretCommand({
        Name: "wire/spotify",
        SecretString: '{"clientId":"a","clientSecret":"b"}',
      }),
    );
    const store = spotifySecretStore("wire/spotify", client);
    await store.save({ clientId: "a", clientSecret: "b", refreshToken: "rotated" });
    expect(await store.load()).toEqual({
      clientId: "a",
      clientSecret: "b",
      refreshToken: "rotated",
    });
    const { SecretString } = await client.send(
      new GetSecretValueCommand({ SecretId: "wire/spotify" }),
    );
    expect(JSON.parse(SecretString!)).toEqual({
      clientId: "a",
      clientSecret: "b",
      refreshToken: "rotated",
    });
  });
});
