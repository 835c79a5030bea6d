// Publishing a snapshot version: the one moment a snapshot's tables become visible. The
// transform wrote everything under `version=<v>/` folders, which no query reads; publishing
// checks the version is complete (its report exists, names it, and counts its files), points
// every table's partition of the hour at the version's folder in the catalog (locally one
// atomic switch of all four; in Glue one table after another), records the publication in
// `_published/`, and only then deletes the hour's other versions. Each step is safe to repeat,
// so a redrive or rerun after a crash anywhere here finishes the same publication.

import { CrawlerFailedError } from "../../commons/errors";
import { LAKE_TABLES, lakeKeys, type LakeTable } from "../../commons/keys";
import type { Catalog, ObjectStore } from "../../commons/ports";
import type { SnapshotHour } from "../../commons/snapshot";

/** The publication record, `_published/snapshot_date=…/snapshot_hour=….json`. */
export interface Publication {
  snapshot: string;
  version: string;
  /** Per table: the folder its partition points at, and the files in it (lake keys). */
  tables: Record<LakeTable, { location: string; files: string[] }>;
}

/** The version's files per table, once its report says the version is complete. */
export async function completeVersionFiles(
  lake: ObjectStore,
  snapshot: SnapshotHour,
  version: string,
): Promise<Record<LakeTable, string[]>> {
  const reportKey = lakeKeys.transformReport(snapshot, version);
  const body = await lake.get(reportKey);
  const incomplete = (why: string) =>
    new CrawlerFailedError(
      `cannot publish version ${version} of snapshot ${snapshot.iso}: ${why}; ` +
        "run the snapshot again (a new execution, or mode reprocess) to rewrite it",
    );
  if (body === undefined) throw incomplete(`its transform report ${reportKey} is missing`);
  let report: { version?: unknown; files?: unknown };
  try {
    report = JSON.parse(new TextDecoder().decode(body)) as typeof report;
  } catch {
    throw incomplete(`its transform report ${reportKey} is not JSON`);
  }
  if (report.version !== version) {
    throw incomplete(`its transform report names version ${JSON.stringify(report.version)}`);
  }
  const files = {} as Record<LakeTable, string[]>;
  for (const table of LAKE_TABLES) {
    files[table] = await lake.list(lakeKeys.versionPrefix(table, snapshot, version));
  }
  const found = LAKE_TABLES.reduce((n, table) => n + files[table].length, 0);
  const empty = LAKE_TABLES.filter((table) => files[table].length === 0);
  if (found !== report.files || empty.length > 0) {
    throw incomplete(
      `its report counts ${String(report.files)} Parquet files, the lake holds ${found}` +
        (empty.length > 0 ? ` (none of ${empty.join(", ")})` : ""),
    );
  }
  return files;
}

/**
 * Publishes `version` of the hour: catalog switch, publication record, then the other
 * versions' removal. Returns how many partitions were new and how many were moved.
 */
export async function publishVersion(
  lake: ObjectStore,
  catalog: Catalog,
  snapshot: SnapshotHour,
  version: string,
): Promise<{ added: number; existing: number }> {
  const files = await completeVersionFiles(lake, snapshot, version);
  const partitions = await catalog.pointPartitions(
    LAKE_TABLES.map((table) => ({
      table,
      date: snapshot.date,
      hour: snapshot.hour,
      folder: lakeKeys.versionPrefix(table, snapshot, version),
    })),
  );
  const publication: Publication = {
    snapshot: snapshot.iso,
    version,
    tables: Object.fromEntries(
      LAKE_TABLES.map((table) => [
        table,
        { location: lakeKeys.versionPrefix(table, snapshot, version), files: files[table] },
      ]),
    ) as Publication["tables"],
  };
  await lake.put(
    lakeKeys.publication(snapshot),
    `${JSON.stringify(publication, null, 2)}\n`,
    "application/json",
  );
  await removeOtherVersions(lake, snapshot, version);
  return partitions;
}

/**
 * Deletes everything of the hour that is not `version`: older versions' tables, quarantine
 * files and reports, and files of the layout before versions. Only after the catalog points
 * at `version`, so nothing a query reads is deleted.
 */
async function removeOtherVersions(
  lake: ObjectStore,
  snapshot: SnapshotHour,
  version: string,
): Promise<void> {
  const folders: [string, string][] = [
    ...LAKE_TABLES.map((table): [string, string] => [
      lakeKeys.partitionPrefix(table, snapshot),
      lakeKeys.versionPrefix(table, snapshot, version),
    ]),
    [lakeKeys.quarantineHourPrefix(snapshot), lakeKeys.quarantinePrefix(snapshot, version)],
    [lakeKeys.reportsHourPrefix(snapshot), lakeKeys.transformReport(snapshot, version)],
  ];
  for (const [hour, kept] of folders) {
    const stale = (await lake.list(hour)).filter((key) => !key.startsWith(kept));
    if (stale.length > 0) await lake.delete(stale);
  }
}

/**
 * Replaces `_crawl/` with a copy of the version's files under `_crawl/<table>/<hour>/`: all
 * the crawler sees, so it never learns of versions and each crawl reads one hour.
 */
export async function copyVersionForCrawl(
  lake: ObjectStore,
  snapshot: SnapshotHour,
  version: string,
): Promise<void> {
  const files = await completeVersionFiles(lake, snapshot, version);
  await clearCrawlCopies(lake);
  for (const table of LAKE_TABLES) {
    const from = lakeKeys.versionPrefix(table, snapshot, version);
    for (const key of files[table]) {
      const body = await lake.get(key);
      if (body === undefined) throw new CrawlerFailedError(`${key} disappeared while copying it`);
      const to = `${lakeKeys.crawlPartitionPrefix(table, snapshot)}${key.slice(from.length)}`;
      await lake.put(to, body, "application/vnd.apache.parquet");
    }
  }
}

/** Empties `_crawl/` once the crawl it was for is done. */
export async function clearCrawlCopies(lake: ObjectStore): Promise<void> {
  const copies = await lake.list(lakeKeys.crawlRoot);
  if (copies.length > 0) await lake.delete(copies);
}
