// The core's view of the outside world. Each port has an AWS implementation
// (functions/commons/aws) and a local one (local/adapters); the core never knows which.

/** One bucket (S3) or one folder (local). Keys are relative, `/`-separated. */
export interface ObjectStore {
  /** Writes a whole object atomically (S3 PUT; local write-then-rename). */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Returns the object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under a prefix, sorted, across all pages. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Compare-and-swap on single objects: what the snapshot lease needs, and nothing more. */
export interface ConditionalObjectStore extends ObjectStore {
  /** The object's bytes and an opaque version tag (S3: its ETag). */
  getVersioned(key: string): Promise<{ body: Uint8Array; etag: string } | undefined>;
  /**
   * Writes only if the object is still at `etag`, or still absent when `etag` is undefined
   * (S3 conditional writes: If-Match / If-None-Match). Resolves false when it was not.
   */
  putIfUnchanged(key: string, body: string, etag: string | undefined): Promise<boolean>;
}

/** The process holding a snapshot lease, as recorded in it (locally only). */
export interface LeaseHolderProcess {
  host: string;
  pid: number;
}

/**
 * Locally only: names this process in the leases it takes, and tells whether another
 * lease's holder is provably dead (same host, no such process). In AWS a step runs in a
 * Lambda that no other can see, so there is no such port and a lease simply runs out.
 */
export interface LeaseHolderLiveness {
  readonly self: LeaseHolderProcess;
  isDead(holder: LeaseHolderProcess): boolean;
}

export type CrawlerState = "READY" | "RUNNING" | "STOPPING";
export type CrawlStatus = "SUCCEEDED" | "CANCELLED" | "FAILED";

export interface CrawlerStatus {
  state: CrawlerState;
  lastCrawl?: { status: CrawlStatus; startTime: Date; errorMessage?: string };
}

/** The Glue crawler, or the local crawler that registers the lake in DuckDB. */
export interface Crawler {
  readonly name: string;
  /** Starts a crawl; resolves `alreadyRunning: true` instead of failing when one is running. */
  start(): Promise<{ alreadyRunning: boolean }>;
  status(): Promise<CrawlerStatus>;
}

/** A column as the Data Catalog records it: Glue/Hive type names (`string`, `array<string>`). */
export interface CatalogColumn {
  name: string;
  type: string;
}

/** One hourly partition of a lake table. */
export interface PartitionValues {
  date: string;
  hour: string;
}

/** Where one table's partition of one hour points: a folder of the lake bucket. */
export interface PartitionLocation extends PartitionValues {
  table: string;
  /** The folder's key prefix in the lake bucket, ending in `/` (e.g. `…/version=…/`). */
  folder: string;
}

/** The Glue Data Catalog's tables and partitions, or the local DuckDB catalog. */
export interface Catalog {
  /** The table's data columns (partition keys excluded), or undefined when it does not exist. */
  tableColumns(table: string): Promise<CatalogColumn[] | undefined>;
  /**
   * Points each partition at its folder: registers the ones not registered yet (Glue
   * BatchCreatePartition) and moves the registered ones (BatchUpdatePartition), so a rerun
   * or redrive repeats it harmlessly; `existing` counts the moved ones. Every table must
   * exist, else nothing is changed. Locally all partitions switch at once (one catalog
   * write); Glue has no transaction across tables, so there it is one table after another.
   */
  pointPartitions(
    partitions: readonly PartitionLocation[],
  ): Promise<{ added: number; existing: number }>;
}

export type QueryState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export interface QueryStatus {
  state: QueryState;
  reason?: string;
  /** Athena's `AthenaError.Retryable`: only such failures are worth another attempt. */
  retryable?: boolean;
  bytesScanned?: number;
}

/** Athena, or DuckDB over the local lake. Results come back as strings, as Athena gives them. */
export interface QueryEngine {
  start(sql: string): Promise<string>;
  status(queryId: string): Promise<QueryStatus>;
  rows(queryId: string): Promise<Record<string, string | null>[]>;
}
