// Catalog over the Glue Data Catalog: a table's columns (GetTable) and direct partition
// registration (BatchCreatePartition, at most 100 per call), each partition a copy of the
// table's storage descriptor pointing at its hive-style folder, as a crawler would make it.

import {
  BatchCreatePartitionCommand,
  EntityNotFoundException,
  GetTableCommand,
  GlueClient,
  type StorageDescriptor,
} from "@aws-sdk/client-glue";
import { CrawlerFailedError } from "../errors";
import type { Catalog, CatalogColumn, PartitionValues } from "../ports";

/** Glue's limit on partitions per BatchCreatePartition call. */
const MAX_PARTITIONS_PER_CALL = 100;

export class GlueCatalog implements Catalog {
  constructor(
    private readonly database: string,
    private readonly lakeBucket: string,
    private readonly glue: GlueClient = new GlueClient({}),
  ) {}

  async tableColumns(table: string): Promise<CatalogColumn[] | undefined> {
    const descriptor = await this.storageDescriptor(table);
    if (descriptor === undefined) return undefined;
    return (descriptor.Columns ?? []).map((column) => ({
      name: column.Name ?? "",
      type: column.Type ?? "",
    }));
  }

  async addPartitions(
    table: string,
    partitions: readonly PartitionValues[],
  ): Promise<{ added: number; existing: number }> {
    const descriptor = await this.storageDescriptor(table);
    if (descriptor === undefined) {
      throw new CrawlerFailedError(
        `Glue table ${this.database}.${table} does not exist: crawl the lake first`,
      );
    }
    let added = 0;
    let existing = 0;
    for (let start = 0; start < partitions.length; start += MAX_PARTITIONS_PER_CALL) {
      const batch = partitions.slice(start, start + MAX_PARTITIONS_PER_CALL);
      const { Errors: errors = [] } = await this.glue.send(
        new BatchCreatePartitionCommand({
          DatabaseName: this.database,
          TableName: table,
          PartitionInputList: batch.map(({ date, hour }) => ({
            Values: [date, hour],
            StorageDescriptor: {
              ...descriptor,
              Location: `s3://${this.lakeBucket}/${table}/snapshot_date=${date}/snapshot_hour=${hour}/`,
            },
          })),
        }),
      );
      // A partition a previous attempt registered is what we wanted: success, counted apart.
      const failed = errors.filter((e) => e.ErrorDetail?.ErrorCode !== "AlreadyExistsException");
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new CrawlerFailedError(
          `Glue refused ${failed.length} partition(s) of ${this.database}.${table}, first ` +
            `${JSON.stringify(first.PartitionValues)}: ${first.ErrorDetail?.ErrorCode} ${first.ErrorDetail?.ErrorMessage ?? ""}`.trim(),
        );
      }
      existing += errors.length;
      added += batch.length - errors.length;
    }
    return { added, existing };
  }

  private async storageDescriptor(table: string): Promise<StorageDescriptor | undefined> {
    try {
      const { Table: found } = await this.glue.send(
        new GetTableCommand({ DatabaseName: this.database, Name: table }),
      );
      return found?.StorageDescriptor ?? {};
    } catch (error) {
      if (
        error instanceof EntityNotFoundException ||
        (error as { name?: string }).name === "EntityNotFoundException"
      ) {
        return undefined;
      }
      throw error;
    }
  }
}
