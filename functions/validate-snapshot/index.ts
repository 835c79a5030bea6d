import { AthenaQueryEngine } from "../commons/aws/athena-query-engine";
import { requiredEnv } from "../commons/config";
import { createValidateSnapshotHandler } from "./handler";

export const handler = createValidateSnapshotHandler({
  queryEngine: new AthenaQueryEngine(requiredEnv("ATHENA_WORKGROUP"), requiredEnv("GLUE_DATABASE")),
});
