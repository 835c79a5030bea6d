// Storage: the raw bucket (Spotify responses as received), the lake bucket (Parquet tables)
// and the Athena results bucket. Every bucket is private, encrypted at rest, refuses
// requests without TLS and ignores ACLs; lifecycle rules keep storage costs bounded.

import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { rawKeys } from "../../functions/commons/keys";
import type { SnapshotHour } from "../../functions/commons/snapshot";
import type { StageContext } from "../context";
import { policyJson } from "../iam";

/** Folder of the results bucket where the Athena workgroup writes query results. */
export const ATHENA_RESULTS_PREFIX = "athena/";

// Any hour, and any content hash: the shapes of the run's keys with wildcards in their place.
const ANY_HOUR = { date: "2000-01-01", hour: "00" } as SnapshotHour;
const ANY_SHA256 = "0".repeat(64);
const wildcards = (key: string) =>
  key
    .replace(rawKeys.snapshotPrefix(ANY_HOUR).slice("spotify/".length), "*/")
    .replace(ANY_SHA256, "*");

/**
 * Every run's items object in the raw bucket (rawKeys.playlistItems, any hour and content):
 * PrepareRun writes them; the Distributed Map's ItemReader, the artists step and the
 * transform read them.
 */
export const RUN_ITEMS_OBJECTS = wildcards(rawKeys.playlistItems(ANY_HOUR, ANY_SHA256));
/** Every object a Map Run's ResultWriter writes (under rawKeys.mapRunsPrefix of any hour). */
export const MAP_RUN_RESULT_OBJECTS = `${wildcards(`${rawKeys.mapRunsPrefix(ANY_HOUR)}/`)}*`;

const ABORT_INCOMPLETE_UPLOADS: S3BucketLifecycleConfigurationRule = {
  id: "abort-incomplete-multipart-uploads",
  status: "Enabled",
  filter: [{ prefix: "" }],
  abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
};

export interface PrivateBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  readonly versioned: boolean;
  readonly lifecycleRules: readonly S3BucketLifecycleConfigurationRule[];
}

/** An S3 bucket that is private, SSE-S3 encrypted, TLS-only and owner-enforced. */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName });

    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public_access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPolicy(this, "tls_only", {
      bucket: this.bucket.id,
      policy: policyJson([
        {
          Sid: "DenyRequestsWithoutTls",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
      // S3 rejects a bucket policy while the public access block is being changed.
      dependsOn: [publicAccess],
    });

    const versioning = props.versioned
      ? new S3BucketVersioningA(this, "versioning", {
          bucket: this.bucket.id,
          versioningConfiguration: { status: "Enabled" },
        })
      : undefined;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [...props.lifecycleRules, ABORT_INCOMPLETE_UPLOADS],
      // Rules on noncurrent versions need versioning in place first.
      ...(versioning ? { dependsOn: [versioning] } : {}),
    });
  }

  get name(): string {
    return this.bucket.bucket;
  }

  get arn(): string {
    return this.bucket.arn;
  }
}

/** S3's limit on a bucket name. */
export const MAX_BUCKET_NAME_LENGTH = 63;
/** An account id is always 12 digits; at synth time it is a token of another length. */
const ACCOUNT_ID_LENGTH = 12;

const DIRECTIONS: Readonly<Record<string, string>> = {
  northeast: "ne",
  southeast: "se",
  northwest: "nw",
  southwest: "sw",
};

/** `eu-west-1` -> `euw1`, `ap-southeast-3` -> `apse3`: AWS's usual short region form. */
export function compactRegion(region: string): string {
  const [area, ...rest] = region.split("-");
  const digit = rest.pop() ?? "";
  return `${area}${rest.map((part) => DIRECTIONS[part] ?? part[0]).join("")}${digit}`;
}

/**
 * `<prefix>-<role>-<account id>-<region>`: account and region keep it globally unique without
 * random suffixes. When that exceeds 63 characters (long stage and region names), the region
 * is written in its compact form instead, which is deterministic and always fits (the stage
 * and region patterns of infra/config.ts bound the rest).
 */
export function bucketNameOf(
  prefix: string,
  role: string,
  accountId: string,
  region: string,
): string {
  const length = (regionPart: string) =>
    `${prefix}-${role}-`.length + ACCOUNT_ID_LENGTH + 1 + regionPart.length;
  const regionPart = length(region) <= MAX_BUCKET_NAME_LENGTH ? region : compactRegion(region);
  if (length(regionPart) > MAX_BUCKET_NAME_LENGTH) {
    throw new Error(`bucket name for ${prefix} ${role} in ${region} cannot fit in 63 characters`);
  }
  return `${prefix}-${role}-${accountId}-${regionPart}`;
}

export class Storage extends Construct {
  /** Spotify responses exactly as received, under `spotify/`. */
  readonly raw: PrivateBucket;
  /** Parquet tables (songs_data/ ...), quarantine/ and _reports/. */
  readonly lake: PrivateBucket;
  readonly athenaResults: PrivateBucket;

  constructor(scope: Construct, id: string, context: StageContext) {
    super(scope, id);
    const { config, prefix } = context;
    const bucketName = (role: string) =>
      bucketNameOf(prefix, role, context.accountId, context.region);

    this.raw = new PrivateBucket(this, "raw", {
      bucketName: bucketName("raw"),
      // A rerun overwrites the same keys; versions keep what was there for a while.
      versioned: true,
      lifecycleRules: [
        // No transition to a colder class: raw objects are Spotify JSON pages of a few to a
        // few tens of KB, and S3 lifecycle skips transitions of objects under 128 KB.
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: config.noncurrentVersionRetentionDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    this.lake = new PrivateBucket(this, "lake", {
      bucketName: bucketName("lake"),
      versioned: false,
      lifecycleRules: [],
    });
    this.athenaResults = new PrivateBucket(this, "athena_results", {
      bucketName: bucketName("athena-results"),
      versioned: false,
      lifecycleRules: [
        {
          id: "expire-athena-results",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: config.athenaResultsRetentionDays }],
        },
      ],
    });
  }
}
