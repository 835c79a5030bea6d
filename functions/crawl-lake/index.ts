import { GlueCatalog } from "../commons/aws/glue-catalog";
import { GlueCrawler } from "../commons/aws/glue-crawler";
import { crawlPolicyEnv, requiredEnv } from "../commons/config";
import { createCrawlLakeHandler } from "./handler";

export const handler = createCrawlLakeHandler({
  crawler: new GlueCrawler(requiredEnv("CRAWLER_NAME")),
  catalog: new GlueCatalog(requiredEnv("GLUE_DATABASE"), requiredEnv("LAKE_BUCKET")),
  policy: crawlPolicyEnv(),
});
