// Typed, validated configuration of one deployment stage, read from infra/stages/<stage>.json.
// Every setting is checked once, before any construct exists, and a bad file fails with a
// message naming the file and each bad setting, instead of a Terraform error at apply time.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CRAWL_POLICIES, type CrawlPolicy } from "../functions/commons/config";
import { ConfigurationError } from "../functions/commons/errors";
import { isSpotifyId } from "../functions/commons/snapshot";
import type { SpotifyAppMode } from "../functions/commons/spotify";
import { SPOTIFY_APP_MODES } from "../functions/commons/spotify";
import type { UnavailablePlaylistsPolicy } from "../functions/core/prepare-run";
import { UNAVAILABLE_PLAYLISTS_POLICIES } from "../functions/core/prepare-run";
import { parseSnowflakeSettings, type SnowflakeSettings } from "./snowflake-config";
// Where a stage's playlist list object may live: PrepareRun refuses any other key.
import { PLAYLIST_SOURCE_PREFIX } from "../functions/core/playlist-items";

export const STAGES_DIR = path.resolve(__dirname, "stages");

/** Where Terraform keeps this stage's state. */
export type BackendConfig =
  | {
      readonly type: "local";
      /** State file, relative to the repository root (kept out of cdktf.out, which synth rewrites). */
      readonly path: string;
    }
  | {
      readonly type: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
    };

export interface StageConfig {
  /** Lower-case name used in every resource name, e.g. `dev`. */
  readonly stage: string;
  readonly region: string;
  /** Default playlists of a scheduled run (Spotify ids). */
  readonly playlists: readonly string[];
  /** The Spotify app's quota mode (SPOTIFY_APP_MODE of the extract functions). */
  readonly spotifyAppMode: SpotifyAppMode;
  /**
   * What a run does after recording playlists Spotify refused: "fail" (the default, after the
   * readable playlists are validated, so alarms fire) or "warn" (UNAVAILABLE_PLAYLISTS).
   */
  readonly unavailablePlaylists: UnavailablePlaylistsPolicy;
  /** EventBridge Scheduler expression, e.g. `rate(1 hour)` or `cron(0 * * * ? *)`. */
  readonly schedule: string;
  /**
   * True creates the schedule ENABLED. The default is false: the Spotify secret is created
   * without a value, so a schedule enabled on the first deploy would fail every run until
   * someone sets it (docs/deployment.md: set the secret, then enable).
   */
  readonly scheduleEnabled: boolean;
  /** When a run crawls the lake: only when a table is new or its schema changed, or always. */
  readonly crawl: CrawlPolicy;
  /**
   * Glue crawlers of an account and region all log to one group, /aws-glue/crawlers. "create"
   * makes it here, with the stage's retention; "existing" (a second stage in the same account
   * and region) leaves it to the stage that created it. Either way the crawler role cannot
   * create it, so it never appears with no retention.
   */
  readonly crawlerLogGroup: "create" | "existing";
  /** Alarm e-mail recipient; without it the topic exists with no subscription. */
  readonly alertEmail: string | undefined;
  /** CloudWatch Logs retention of every log group, in days. */
  readonly logRetentionDays: number;
  /** Athena cancels (and still bills) any query of this workgroup scanning more bytes. */
  readonly athenaBytesScannedCutoff: number;
  /** Athena query results are deleted after this many days. */
  readonly athenaResultsRetentionDays: number;
  /** Overwritten raw objects (noncurrent versions) are deleted after this many days. */
  readonly noncurrentVersionRetentionDays: number;
  /** Stored artist details younger than this many hours are not fetched again (24). */
  readonly artistMaxAgeHours: number;
  /**
   * ExtractPlaylists' Map Run runs at most this many batches at once (EXTRACT_CONCURRENCY of
   * PrepareRun; default 4, what Spotify's rolling rate-limit window tolerates).
   */
  readonly extractConcurrency: number;
  /** Playlists one ExtractPlaylistBatch invocation extracts (EXTRACT_BATCH_SIZE of PrepareRun). */
  readonly extractBatchSize: number;
  /**
   * Key of an object in the raw bucket, under `config/`, holding the run's playlist ids as a
   * JSON array (PLAYLISTS_OBJECT_KEY of PrepareRun): for lists too long for a Lambda
   * environment (4 KB). Undefined: `playlists` is the list.
   */
  readonly playlistsObjectKey: string | undefined;
  readonly backend: BackendConfig;
  /** Load the lake into Snowflake too (infra/constructs/snowflake-lake.ts); undefined: off. */
  readonly snowflake: SnowflakeSettings | undefined;
}

/** The values CloudWatch Logs accepts for a retention period. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Defaults and bounds of the extraction's Distributed Map settings. */
export const EXTRACT_SETTINGS = {
  concurrency: { fallback: 4, max: 40 },
  // 25 playlists a batch: 400 child executions at 10,000 playlists, each well inside the
  // extract function's timeout (extractPlaylistTimeoutSeconds) and Express's five minutes.
  batchSize: { fallback: 25, max: 100 },
} as const;

/** Athena refuses a bytes-scanned cutoff below 10 MB. */
export const MIN_ATHENA_CUTOFF_BYTES = 10 * 1024 * 1024;

// Stage names go into bucket names (at most 63 characters with the 12-digit account id
// and the region), so they stay short and DNS-safe.
const STAGE_PATTERN = /^[a-z][a-z0-9]{0,9}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
const RATE_PATTERN = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON_PATTERN = /^cron\((\S+ ){5}\S+\)$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const KNOWN_KEYS = new Set([
  "$comment",
  "stage",
  "region",
  "playlists",
  "schedule",
  "scheduleEnabled",
  "spotifyAppMode",
  "unavailablePlaylists",
  "alertEmail",
  "logRetentionDays",
  "athenaBytesScannedCutoff",
  "athenaResultsRetentionDays",
  "crawl",
  "crawlerLogGroup",
  "noncurrentVersionRetentionDays",
  "artistMaxAgeHours",
  "extractConcurrency",
  "extractBatchSize",
  "playlistsObjectKey",
  "backend",
  "snowflake",
]);

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * Validates a parsed stage file. `source` names it in errors (e.g. `infra/stages/dev.json`).
 * Throws one ConfigurationError listing every bad setting.
 */
export function parseStageConfig(raw: unknown, source: string): StageConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigurationError(source, "must hold a JSON object");
  }
  const input = raw as Record<string, unknown>;
  const problems: string[] = [];
  const problem = (setting: string, text: string) => problems.push(`${setting} ${text}`);

  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) problem(key, "is not a known setting");
  }

  const stage = input.stage;
  if (typeof stage !== "string" || !STAGE_PATTERN.test(stage)) {
    problem(
      "stage",
      `must be 1-10 lower-case letters or digits starting with a letter, got ${show(stage)}`,
    );
  }

  const region = input.region;
  if (typeof region !== "string" || !REGION_PATTERN.test(region)) {
    problem("region", `must be an AWS region such as eu-west-1, got ${show(region)}`);
  }

  const playlistsObjectKey = input.playlistsObjectKey ?? undefined;
  if (
    playlistsObjectKey !== undefined &&
    (typeof playlistsObjectKey !== "string" ||
      !playlistsObjectKey.startsWith(PLAYLIST_SOURCE_PREFIX) ||
      !/^[A-Za-z0-9!_.*'()/-]+\.json$/.test(playlistsObjectKey) ||
      playlistsObjectKey.split("/").some((part) => part === "" || part === ".."))
  ) {
    problem(
      "playlistsObjectKey",
      `must be the key of a .json object under ${PLAYLIST_SOURCE_PREFIX} in the raw bucket, got ${show(playlistsObjectKey)}`,
    );
  }
  const playlists = input.playlists ?? (playlistsObjectKey !== undefined ? [] : undefined);
  if (playlistsObjectKey !== undefined && Array.isArray(playlists) && playlists.length > 0) {
    problem("playlists", "must be left out when playlistsObjectKey names the list");
  } else if (playlistsObjectKey !== undefined) {
    // The list lives in the object.
  } else if (!Array.isArray(playlists) || playlists.length === 0) {
    problem(
      "playlists",
      `must be a non-empty array of Spotify playlist ids, got ${show(playlists)}`,
    );
  } else {
    playlists.forEach((id, index) => {
      if (!isSpotifyId(id)) {
        problem(`playlists[${index}]`, `must be a 22-character Spotify id, got ${show(id)}`);
      } else if (playlists.indexOf(id) !== index) {
        problem(`playlists[${index}]`, `repeats ${id}`);
      }
    });
  }

  const schedule = input.schedule ?? "rate(1 hour)";
  if (typeof schedule !== "string") {
    problem("schedule", `must be a string, got ${show(schedule)}`);
  } else {
    const rate = RATE_PATTERN.exec(schedule);
    if (rate) {
      const [, amount, unit] = rate;
      const singular = !unit!.endsWith("s");
      if (Number(amount) < 1 || (Number(amount) === 1) !== singular) {
        problem("schedule", `must read like rate(1 hour) or rate(2 hours), got ${show(schedule)}`);
      }
    } else if (!CRON_PATTERN.test(schedule)) {
      problem(
        "schedule",
        `must be rate(<n> <unit>) or cron(<6 fields>) such as cron(0 * * * ? *), got ${show(schedule)}`,
      );
    }
  }

  const spotifyAppMode = input.spotifyAppMode ?? "development";
  if (!(SPOTIFY_APP_MODES as readonly unknown[]).includes(spotifyAppMode)) {
    problem(
      "spotifyAppMode",
      `must be one of ${SPOTIFY_APP_MODES.join(", ")}, got ${show(spotifyAppMode)}`,
    );
  }

  const unavailablePlaylists = input.unavailablePlaylists ?? "fail";
  if (!(UNAVAILABLE_PLAYLISTS_POLICIES as readonly unknown[]).includes(unavailablePlaylists)) {
    problem(
      "unavailablePlaylists",
      `must be one of ${UNAVAILABLE_PLAYLISTS_POLICIES.join(", ")}, got ${show(unavailablePlaylists)}`,
    );
  }

  const scheduleEnabled = input.scheduleEnabled ?? false;
  if (typeof scheduleEnabled !== "boolean") {
    problem("scheduleEnabled", `must be true or false, got ${show(scheduleEnabled)}`);
  }

  const crawl = input.crawl ?? "on-schema-change";
  if (!(CRAWL_POLICIES as readonly unknown[]).includes(crawl)) {
    problem("crawl", `must be one of ${CRAWL_POLICIES.join(", ")}, got ${show(crawl)}`);
  }

  const crawlerLogGroup = input.crawlerLogGroup ?? "create";
  if (crawlerLogGroup !== "create" && crawlerLogGroup !== "existing") {
    problem("crawlerLogGroup", `must be "create" or "existing", got ${show(crawlerLogGroup)}`);
  }

  const alertEmail = input.alertEmail ?? undefined;
  if (
    alertEmail !== undefined &&
    (typeof alertEmail !== "string" || !EMAIL_PATTERN.test(alertEmail))
  ) {
    problem("alertEmail", `must be an e-mail address or null, got ${show(alertEmail)}`);
  }

  const logRetentionDays = input.logRetentionDays ?? 30;
  if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(logRetentionDays)) {
    problem(
      "logRetentionDays",
      `must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(", ")}), got ${show(logRetentionDays)}`,
    );
  }

  const athenaBytesScannedCutoff = input.athenaBytesScannedCutoff ?? 1024 ** 3;
  if (
    !Number.isSafeInteger(athenaBytesScannedCutoff) ||
    (athenaBytesScannedCutoff as number) < MIN_ATHENA_CUTOFF_BYTES
  ) {
    problem(
      "athenaBytesScannedCutoff",
      `must be a whole number of bytes >= ${MIN_ATHENA_CUTOFF_BYTES} (10 MB, Athena's minimum), got ${show(athenaBytesScannedCutoff)}`,
    );
  }

  const whole = (setting: string, fallback: number, max: number, unit = ""): number => {
    const value = input[setting] ?? fallback;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
      problem(setting, `must be a whole number${unit} from 1 to ${max}, got ${show(value)}`);
    }
    return value as number;
  };
  const days = (setting: string, fallback: number, max: number) =>
    whole(setting, fallback, max, " of days");
  const athenaResultsRetentionDays = days("athenaResultsRetentionDays", 7, 3650);
  const noncurrentVersionRetentionDays = days("noncurrentVersionRetentionDays", 30, 3650);
  const artistMaxAgeHours = input.artistMaxAgeHours ?? 24;
  if (
    !Number.isInteger(artistMaxAgeHours) ||
    (artistMaxAgeHours as number) < 1 ||
    (artistMaxAgeHours as number) > 8760
  ) {
    problem(
      "artistMaxAgeHours",
      `must be a whole number of hours from 1 to 8760, got ${show(artistMaxAgeHours)}`,
    );
  }

  const extractConcurrency = whole(
    "extractConcurrency",
    EXTRACT_SETTINGS.concurrency.fallback,
    EXTRACT_SETTINGS.concurrency.max,
  );
  const extractBatchSize = whole(
    "extractBatchSize",
    EXTRACT_SETTINGS.batchSize.fallback,
    EXTRACT_SETTINGS.batchSize.max,
  );

  const backend = parseBackend(input.backend, problem);
  const snowflake = parseSnowflakeSettings(input.snowflake, problem);

  if (problems.length > 0) {
    throw new ConfigurationError(
      source,
      `has ${problems.length} invalid setting${problems.length > 1 ? "s" : ""}: ${problems.join("; ")}`,
    );
  }
  return {
    stage: stage as string,
    region: region as string,
    playlists: [...(playlists as string[])],
    schedule: schedule as string,
    scheduleEnabled: scheduleEnabled as boolean,
    crawl: crawl as CrawlPolicy,
    crawlerLogGroup: crawlerLogGroup as "create" | "existing",
    spotifyAppMode: spotifyAppMode as SpotifyAppMode,
    unavailablePlaylists: unavailablePlaylists as UnavailablePlaylistsPolicy,
    alertEmail: alertEmail as string | undefined,
    logRetentionDays: logRetentionDays as number,
    athenaBytesScannedCutoff: athenaBytesScannedCutoff as number,
    athenaResultsRetentionDays,
    noncurrentVersionRetentionDays,
    artistMaxAgeHours: artistMaxAgeHours as number,
    extractConcurrency,
    extractBatchSize,
    playlistsObjectKey: playlistsObjectKey as string | undefined,
    backend: backend as BackendConfig,
    snowflake,
  };
}

function parseBackend(
  value: unknown,
  problem: (setting: string, text: string) => void,
): BackendConfig | undefined {
  if (typeof value !== "object" || value === null) {
    problem(
      "backend",
      `must be {"type":"local","path":...} or {"type":"s3",...}, got ${show(value)}`,
    );
    return undefined;
  }
  const backend = value as Record<string, unknown>;
  if (backend.type === "local") {
    const statePath = backend.path;
    if (
      typeof statePath !== "string" ||
      !statePath.endsWith(".tfstate") ||
      path.isAbsolute(statePath) ||
      path.posix.normalize(statePath).startsWith("..") ||
      statePath.includes("\\")
    ) {
      problem(
        "backend.path",
        `must be a relative path inside the repository ending in .tfstate, got ${show(statePath)}`,
      );
    }
    return { type: "local", path: statePath as string };
  }
  if (backend.type === "s3") {
    const { bucket, key, region } = backend;
    if (bucket === undefined || bucket === null || bucket === "") {
      problem(
        "backend.bucket",
        "is required: the name of the S3 bucket you created for this stage's Terraform state (docs/deployment.md, State backend)",
      );
    } else if (typeof bucket !== "string" || !BUCKET_PATTERN.test(bucket)) {
      problem("backend.bucket", `must be an S3 bucket name, got ${show(bucket)}`);
    }
    if (typeof key !== "string" || key.length === 0 || key.startsWith("/")) {
      problem(
        "backend.key",
        `must be a non-empty object key not starting with /, got ${show(key)}`,
      );
    }
    if (typeof region !== "string" || !REGION_PATTERN.test(region)) {
      problem("backend.region", `must be an AWS region such as eu-west-1, got ${show(region)}`);
    }
    return { type: "s3", bucket: bucket as string, key: key as string, region: region as string };
  }
  problem("backend.type", `must be "local" or "s3", got ${show(backend.type)}`);
  return undefined;
}

/** Stage names that have a file in `stagesDir`, sorted. */
export function listStages(stagesDir = STAGES_DIR): string[] {
  return readdirSync(stagesDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/** Reads and validates `<stagesDir>/<stage>.json`; its `stage` must match the file name. */
export function loadStageConfig(stage: string, stagesDir = STAGES_DIR): StageConfig {
  const file = path.join(stagesDir, `${stage}.json`);
  const source = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    const known = existsSync(stagesDir) ? listStages(stagesDir) : [];
    throw new ConfigurationError(
      "stage",
      `${show(stage)} has no file ${source} (known stages: ${known.join(", ") || "none"})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigurationError(source, `is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseStageConfig(raw, source);
  if (config.stage !== stage) {
    throw new ConfigurationError(
      `${source} stage`,
      `must equal the file name ${show(stage)}, got ${show(config.stage)}`,
    );
  }
  return config;
}
