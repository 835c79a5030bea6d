// Counts, during a local run, what AWS would bill for the same run: each Lambda invocation
// (its step, local duration, and the requests it made), S3 requests by price class and bytes
// stored, Glue catalog and crawler calls, Athena queries, Secrets Manager calls and Spotify
// requests. Wrappers around the local adapters do the counting; an AsyncLocalStorage tells
// which invocation a request belongs to (the Map runs several at once).

import { AsyncLocalStorage } from "node:async_hooks";
import type {
  Catalog,
  ConditionalObjectStore,
  Crawler,
  QueryEngine,
} from "../../functions/commons/ports";
import type { SpotifyCredentialsStore } from "../../functions/commons/spotify";
import type { AdapterWrappers, AroundTask } from "../../local/local-pipeline";
import { stepCalledBy, taskStates, type PipelineStep } from "../../statemachine/pipeline";
import type { StateMachineDefinition } from "aws-local-stepfunctions";

/** S3 request classes as S3 prices them. DeleteObjects is a POST (PUT class). */
export interface S3Requests {
  put: number;
  list: number;
  post: number;
  get: number;
}

export interface Invocation {
  task: string;
  step: PipelineStep;
  localMs: number;
  s3: S3Requests;
  /** Glue, Athena and Secrets Manager API calls (each a round trip the function waits for). */
  awsApiCalls: number;
  spotifyRequests: number;
}

export interface StartedQuery {
  sql: string;
}

const zeroS3 = (): S3Requests => ({ put: 0, list: 0, post: 0, get: 0 });
const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

export class BillingMeter {
  private readonly current = new AsyncLocalStorage<Invocation>();
  readonly invocations: Invocation[] = [];
  readonly queries: StartedQuery[] = [];
  readonly storedBytes = { raw: 0, lake: 0 };
  glueCatalogRequests = 0;
  crawlerStarts = 0;
  secretsManagerCalls = 0;
  /** Requests made outside any invocation: a bug of the wiring, reported rather than lost. */
  unattributed = 0;

  /** An `aroundTask` for every Task of the definition, timing and attributing each call. */
  aroundTasks(definition: StateMachineDefinition): Record<string, AroundTask> {
    const around: Record<string, AroundTask> = {};
    for (const task of taskStates(definition.States)) {
      const step = stepCalledBy(task.functionRef);
      if (!step) throw new Error(`Task ${task.name} calls no known step`);
      around[task.name] = async (invoke) => {
        const record: Invocation = {
          task: task.name,
          step,
          localMs: 0,
          s3: zeroS3(),
          awsApiCalls: 0,
          spotifyRequests: 0,
        };
        const started = performance.now();
        try {
          return await this.current.run(record, invoke);
        } finally {
          record.localMs = performance.now() - started;
          this.invocations.push(record);
        }
      };
    }
    return around;
  }

  private count(add: (invocation: Invocation) => void): void {
    const invocation = this.current.getStore();
    if (invocation) add(invocation);
    else this.unattributed++;
  }

  private s3(kind: keyof S3Requests, n = 1): void {
    this.count((i) => (i.s3[kind] += n));
  }

  private api(): void {
    this.count((i) => i.awsApiCalls++);
  }

  adapters(): AdapterWrappers {
    return {
      objectStore: (bucket, store) => this.objectStore(bucket, store),
      crawler: (crawler) => this.crawler(crawler),
      catalog: (catalog) => this.catalog(catalog),
      queryEngine: (engine) => this.queryEngine(engine),
    };
  }

  private objectStore(
    bucket: "raw" | "lake",
    store: ConditionalObjectStore,
  ): ConditionalObjectStore {
    const stored = (body: Uint8Array | string) => {
      this.storedBytes[bucket] += typeof body === "string" ? Buffer.byteLength(body) : body.length;
    };
    return {
      put: async (key, body, contentType) => {
        this.s3("put");
        stored(body);
        return store.put(key, body, contentType);
      },
      putIfUnchanged: async (key, body, etag) => {
        this.s3("put");
        const written = await store.putIfUnchanged(key, body, etag);
        if (written) stored(body);
        return written;
      },
      get: async (key) => {
        this.s3("get");
        return store.get(key);
      },
      getVersioned: async (key) => {
        this.s3("get");
        return store.getVersioned(key);
      },
      // ListObjectsV2 returns at most 1,000 keys a page.
      list: async (prefix) => {
        const keys = await store.list(prefix);
        this.s3("list", pages(keys.length, 1000));
        return keys;
      },
      // DeleteObjects takes at most 1,000 keys a call.
      delete: async (keys) => {
        this.s3("post", pages(keys.length, 1000));
        return store.delete(keys);
      },
    };
  }

  private crawler(crawler: Crawler): Crawler {
    return {
      name: crawler.name,
      start: async () => {
        this.api();
        const started = await crawler.start();
        if (!started.alreadyRunning) this.crawlerStarts++;
        return started;
      },
      status: async () => {
        this.api();
        return crawler.status();
      },
    };
  }

  private catalog(catalog: Catalog): Catalog {
    return {
      tableColumns: async (table) => {
        this.api();
        this.glueCatalogRequests++;
        return catalog.tableColumns(table);
      },
      // GlueCatalog: GetTable per table, then per table BatchCreatePartition of at most 100
      // partitions a call, and BatchUpdatePartition for those that already existed.
      pointPartitions: async (partitions) => {
        const result = await catalog.pointPartitions(partitions);
        const byTable = new Map<string, number>();
        for (const p of partitions) byTable.set(p.table, (byTable.get(p.table) ?? 0) + 1);
        let calls = byTable.size;
        for (const count of byTable.values()) calls += pages(count, 100);
        if (result.existing > 0) calls += pages(result.existing, 100);
        for (let i = 0; i < calls; i++) this.api();
        this.glueCatalogRequests += calls;
        return result;
      },
    };
  }

  private queryEngine(engine: QueryEngine): QueryEngine {
    return {
      start: async (sql) => {
        this.api();
        this.queries.push({ sql });
        return engine.start(sql);
      },
      status: async (id) => {
        this.api();
        return engine.status(id);
      },
      rows: async (id) => {
        this.api();
        return engine.rows(id);
      },
    };
  }

  /** The run's Spotify secret (Secrets Manager): every load and save is an API call. */
  credentialsStore(inner: SpotifyCredentialsStore): SpotifyCredentialsStore {
    return {
      load: async () => {
        this.secretsManagerCalls++;
        this.api();
        return inner.load();
      },
      save: async (credentials) => {
        this.secretsManagerCalls++;
        this.api();
        return inner.save(credentials);
      },
    };
  }

  /** A fetch for the Spotify client that counts each request against its invocation. */
  countingFetch(inner: typeof fetch = fetch): typeof fetch {
    return (input, init) => {
      this.count((i) => i.spotifyRequests++);
      return inner(input, init);
    };
  }
}

export const totalS3 = (invocations: readonly Invocation[]): S3Requests =>
  invocations.reduce((sum, i) => {
    for (const k of Object.keys(sum) as (keyof S3Requests)[]) sum[k] += i.s3[k];
    return sum;
  }, zeroS3());
