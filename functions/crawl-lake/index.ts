import { GlueCrawler } from "../commons/aws/glue-crawler";
import { requiredEnv } from "../commons/config";
import { createCrawlLakeHandler } from "./handler";

export const handler = createCrawlLakeHandler({
  crawler: new GlueCrawler(requiredEnv("CRAWLER_NAME")),
});
