import { GlueCatalog } from "../commons/aws/glue-catalog";
import { GlueCrawler } from "../commons/aws/glue-crawler";
import { S3ObjectStore } from "../commons/aws/s3-object-store";
import { crawlPolicyEnv, requiredEnv } from "../commons/config";
import { createCrawlLakeHandler } from "./handler";

export const handler = createCrawlLakeHandler({
  crawler: new GlueCrawler(requiredEnv("CRAWLER_NAME")),
  catalog: new GlueCatalog(requiredEnv("GLUE_DATABASE"), requiredEnv("LAKE_BUCKET")),
  lakeStore: new S3ObjectStore(requiredEnv("LAKE_BUCKET")),
  leaseStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  policy: crawlPolicyEnv(),
});
