// ObjectStore over one S3 bucket.

import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { ConditionalObjectStore } from "../ports";

const DELETE_BATCH = 1000; // DeleteObjects accepts at most 1,000 keys per call.

export class S3ObjectStore implements ConditionalObjectStore {
  constructor(
    readonly bucket: string,
    private readonly s3: S3Client = new S3Client({}),
  ) {}

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.getVersioned(key))?.body;
  }

  async getVersioned(key: string): Promise<{ body: Uint8Array; etag: string } | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: response.ETag ?? "" };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") {
        return undefined;
      }
      throw error;
    }
  }

  async putIfUnchanged(key: string, body: string, etag: string | undefined): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
          ...(etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: etag }),
        }),
      );
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      // 412: the condition failed; 409: a concurrent conditional write won the race.
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const response = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (response.Errors && response.Errors.length > 0) {
        const first = response.Errors[0]!;
        throw new Error(
          `S3 could not delete ${response.Errors.length} object(s) from ${this.bucket}, ` +
            `first ${first.Key}: ${first.Code} ${first.Message}`,
        );
      }
    }
  }
}
