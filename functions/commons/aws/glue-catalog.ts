// Catalog over the Glue Data Catalog: a table's columns (GetTable) and pointing an hour's
// partitions at a folder of the lake: BatchCreatePartition for new partitions, then
// BatchUpdatePartition for the ones already registered (at most 100 per call), each partition
// a copy of its table's storage descriptor with the folder as its location, as a crawler
// would make it. Glue has no transaction across tables: the tables switch one after another.

import {
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  EntityNotFoundException,
  GetTableCommand,
  GlueClient,
  type ErrorDetail,
  type StorageDescriptor,
} from "@aws-sdk/client-glue";
import { CrawlerFailedError } from "../errors";
import type { Catalog, CatalogColumn, PartitionLocation } from "../ports";

/** Glue's limit on partitions per BatchCreatePartition / BatchUpdatePartition call. */
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

  async pointPartitions(
    partitions: readonly PartitionLocation[],
  ): Promise<{ added: number; existing: number }> {
    const tables = [...new Set(partitions.map((p) => p.table))];
    // Every table's descriptor first: a missing table changes nothing at all.
    const descriptors = new Map<string, StorageDescriptor>();
    for (const table of tables) {
      const descriptor = await this.storageDescriptor(table);
      if (descriptor === undefined) {
        throw new CrawlerFailedError(
          `Glue table ${this.database}.${table} does not exist: crawl the lake first`,
        );
      }
      descriptors.set(table, descriptor);
    }
    let added = 0;
    let existing = 0;
    for (const table of tables) {
      const ofTable = partitions.filter((p) => p.table === table);
      for (let start = 0; start < ofTable.length; start += MAX_PARTITIONS_PER_CALL) {
        const batch = ofTable.slice(start, start + MAX_PARTITIONS_PER_CALL);
        const input = (p: PartitionLocation) => ({
          Values: [p.date, p.hour],
          StorageDescriptor: {
            ...descriptors.get(table),
            Location: `s3://${this.lakeBucket}/${p.folder}`,
          },
        });
        const { Errors: createErrors = [] } = await this.glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: this.database,
            TableName: table,
            PartitionInputList: batch.map(input),
          }),
        );
        const registered = createErrors.filter(
          (e) => e.ErrorDetail?.ErrorCode === "AlreadyExistsException",
        );
        this.refuseUnless(
          table,
          createErrors.map((e) => ({ values: e.PartitionValues, detail: e.ErrorDetail })),
          registered.length,
        );
        const toMove = batch.filter((p) =>
          registered.some((e) => e.PartitionValues?.join("/") === `${p.date}/${p.hour}`),
        );
        if (toMove.length > 0) {
          const { Errors: updateErrors = [] } = await this.glue.send(
            new BatchUpdatePartitionCommand({
              DatabaseName: this.database,
              TableName: table,
              Entries: toMove.map((p) => ({
                PartitionValueList: [p.date, p.hour],
                PartitionInput: input(p),
              })),
            }),
          );
          this.refuseUnless(
            table,
            updateErrors.map((e) => ({ values: e.PartitionValueList, detail: e.ErrorDetail })),
            0,
          );
        }
        existing += toMove.length;
        added += batch.length - toMove.length;
      }
    }
    return { added, existing };
  }

  /** Throws naming the first refused partition, unless only `expected` errors came back. */
  private refuseUnless(
    table: string,
    errors: readonly { values?: string[]; detail?: ErrorDetail }[],
    expected: number,
  ): void {
    if (errors.length <= expected) return;
    const first =
      errors.find((e) => e.detail?.ErrorCode !== "AlreadyExistsException") ?? errors[0]!;
    throw new CrawlerFailedError(
      `Glue refused ${errors.length - expected} partition(s) of ${this.database}.${table}, first ` +
        `${JSON.stringify(first.values)}: ${first.detail?.ErrorCode} ${first.detail?.ErrorMessage ?? ""}`.trim(),
    );
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
