// The optional `snowflake` setting of a stage file: which Snowflake account loads the lake,
// with which role, and the warehouse it gets. Absent (or null) means no Snowflake at all: no
// provider, no resources. Credentials are never a setting: the Snowflake provider reads them
// from the environment of whoever deploys (README, "Querying in Snowflake").

export interface SnowflakeSettings {
  /** Snowflake organization name (SNOWFLAKE_ORGANIZATION_NAME would also do; a stage pins it). */
  readonly organizationName: string;
  /** Snowflake account name within the organization. */
  readonly accountName: string;
  /** Role the provider uses; it must be allowed to create integrations (ACCOUNTADMIN by default). */
  readonly role: string;
  /** Size of the warehouse people query the views with. */
  readonly warehouseSize: SnowflakeWarehouseSize;
  /** The warehouse suspends after this many idle seconds (Snowflake bills while it runs). */
  readonly autoSuspendSeconds: number;
}

export const SNOWFLAKE_WAREHOUSE_SIZES = ["XSMALL", "SMALL", "MEDIUM", "LARGE"] as const;
export type SnowflakeWarehouseSize = (typeof SNOWFLAKE_WAREHOUSE_SIZES)[number];

// Organization and account names are letters, digits and underscores; role names here are
// kept to unquoted identifiers so that no quoting rule of Snowflake's can surprise.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,254}$/;
const KNOWN_KEYS = new Set([
  "organizationName",
  "accountName",
  "role",
  "warehouseSize",
  "autoSuspendSeconds",
]);
/** Snowflake's smallest useful auto-suspend; 0 would mean never suspend. */
export const MIN_AUTO_SUSPEND_SECONDS = 60;
const MAX_AUTO_SUSPEND_SECONDS = 24 * 3600;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** Validates the stage's `snowflake` value; reports each bad setting through `problem`. */
export function parseSnowflakeSettings(
  value: unknown,
  problem: (setting: string, text: string) => void,
): SnowflakeSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    problem(
      "snowflake",
      `must be null or {"organizationName":...,"accountName":...}, got ${show(value)}`,
    );
    return undefined;
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) problem(`snowflake.${key}`, "is not a known setting");
  }
  const name = (setting: string, fallback?: string): string => {
    const given = input[setting] ?? fallback;
    if (typeof given !== "string" || !NAME_PATTERN.test(given)) {
      problem(
        `snowflake.${setting}`,
        `must be a Snowflake identifier (letters, digits, underscores), got ${show(given)}`,
      );
    }
    return given as string;
  };
  const organizationName = name("organizationName");
  const accountName = name("accountName");
  const role = name("role", "ACCOUNTADMIN");

  const warehouseSize = input.warehouseSize ?? "XSMALL";
  if (!(SNOWFLAKE_WAREHOUSE_SIZES as readonly unknown[]).includes(warehouseSize)) {
    problem(
      "snowflake.warehouseSize",
      `must be one of ${SNOWFLAKE_WAREHOUSE_SIZES.join(", ")}, got ${show(warehouseSize)}`,
    );
  }
  const autoSuspendSeconds = input.autoSuspendSeconds ?? MIN_AUTO_SUSPEND_SECONDS;
  if (
    !Number.isInteger(autoSuspendSeconds) ||
    (autoSuspendSeconds as number) < MIN_AUTO_SUSPEND_SECONDS ||
    (autoSuspendSeconds as number) > MAX_AUTO_SUSPEND_SECONDS
  ) {
    problem(
      "snowflake.autoSuspendSeconds",
      `must be a whole number of seconds from ${MIN_AUTO_SUSPEND_SECONDS} to ${MAX_AUTO_SUSPEND_SECONDS}, got ${show(autoSuspendSeconds)}`,
    );
  }
  return {
    organizationName,
    accountName,
    role: role.toUpperCase(),
    warehouseSize: warehouseSize as SnowflakeWarehouseSize,
    autoSuspendSeconds: autoSuspendSeconds as number,
  };
}
