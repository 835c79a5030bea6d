// The snapshot hour is the natural key of a run: every raw object, lake file and check of
// one execution lives under it. Only values built by these functions become storage keys.

import { InvalidInputError } from "./errors";

/** A validated snapshot hour, e.g. `{ iso: "2026-11-22T05:00:00.000Z", date: "2026-11-22", hour: "05" }`. */
export interface SnapshotHour {
  readonly iso: string;
  readonly date: string;
  readonly hour: string;
}

/** Spotify playlist, track, album and artist ids are 22 base-62 characters. */
export const SPOTIFY_ID_PATTERN = /^[0-9A-Za-z]{22}$/;

export function isSpotifyId(value: unknown): value is string {
  return typeof value === "string" && SPOTIFY_ID_PATTERN.test(value);
}

const HOUR_MS = 3_600_000;

/** Truncates an instant to its UTC hour. */
export function snapshotHourOf(instant: Date): SnapshotHour {
  // Arithmetic, not Date.UTC, which reads years 0-99 as 1900-1999.
  const truncated = new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
  const iso = truncated.toISOString();
  return { iso, date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

// An ISO 8601 instant with an explicit zone: a time without one would mean a different
// hour on every machine.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 instant (with zone) into its snapshot hour; throws naming `field`. */
export function parseSnapshotHour(value: unknown, field = "snapshot"): SnapshotHour {
  if (typeof value !== "string") {
    throw new InvalidInputError(field, `must be an ISO 8601 time string, got ${typeof value}`);
  }
  const match = ISO_INSTANT.exec(value);
  if (!match) {
    throw new InvalidInputError(
      field,
      `must be an ISO 8601 time with a zone such as 2026-11-22T05:00:00Z, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const instant = new Date(value);
  // Date.parse rolls 2026-02-31 over to March; compare the fields to refuse such dates.
  // (setUTCFullYear, as Date.UTC would read years 0-99 as 1900-1999.)
  const roundTrip = new Date(0);
  roundTrip.setUTCFullYear(y!, mo! - 1, d!);
  if (
    Number.isNaN(instant.getTime()) ||
    roundTrip.getUTCMonth() !== mo! - 1 ||
    roundTrip.getUTCDate() !== d! ||
    h! > 23 ||
    mi! > 59 ||
    (s ?? 0) > 59
  ) {
    throw new InvalidInputError(field, `is not a real calendar time: ${JSON.stringify(value)}`);
  }
  return snapshotHourOf(instant);
}

/** Rebuilds a SnapshotHour from the ISO form the state machine carries between states. */
export function snapshotHourFromIso(iso: unknown): SnapshotHour {
  const parsed = parseSnapshotHour(iso, "run.snapshot");
  if (parsed.iso !== iso) {
    throw new InvalidInputError("run.snapshot", `must be a whole UTC hour, got ${String(iso)}`);
  }
  return parsed;
}

/** Whether `value` is a snapshot hour's ISO form (`2026-11-22T05:00:00.000Z`). */
export function isSnapshotIso(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/.test(value) &&
    new Date(value).toISOString() === value
  );
}
