import { S3ObjectStore } from "../commons/aws/s3-object-store";
import { requiredEnv } from "../commons/config";
import { createTransformSnapshotHandler } from "./handler";

export const handler = createTransformSnapshotHandler({
  rawStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  lakeStore: new S3ObjectStore(requiredEnv("LAKE_BUCKET")),
});
