// A Catalog held in memory: tables by name with their columns, and each partition
// (`table/date/hour`) with the folder it points at. Like Glue, a partition of a table that
// does not exist is refused, and then nothing changes.

import { CrawlerFailedError } from "../../functions/commons/errors";
import type { Catalog, CatalogColumn, PartitionLocation } from "../../functions/commons/ports";

export class MemoryCatalog implements Catalog {
  readonly partitions = new Map<string, string>();
  constructor(readonly tables: Map<string, CatalogColumn[]>) {}

  async tableColumns(table: string) {
    return this.tables.get(table);
  }

  async pointPartitions(partitions: readonly PartitionLocation[]) {
    const missing = partitions.find((p) => !this.tables.has(p.table));
    if (missing) throw new CrawlerFailedError(`table ${missing.table} does not exist`);
    let existing = 0;
    for (const { table, date, hour, folder } of partitions) {
      const key = `${table}/${date}/${hour}`;
      if (this.partitions.has(key)) existing++;
      this.partitions.set(key, folder);
    }
    return { added: partitions.length - existing, existing };
  }
}
