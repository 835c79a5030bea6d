// Small readers for untrusted JSON from the Spotify API: each answers one question about a
// value without throwing, so the caller decides whether a miss is a skip, a quarantine or
// a corrupt raw object.

import { isObject, type JsonObject } from "../../commons/json";
import { isSpotifyId } from "../../commons/snapshot";

/** Absent and null both mean "not given" in Spotify payloads. */
export const isAbsent = (value: unknown): value is null | undefined =>
  value === null || value === undefined;

const INT32_MAX = 2_147_483_647;

/** A non-negative integer that fits a Parquet INT32. */
export const isCount = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX;

/** A non-negative integer that a double holds exactly (Parquet INT64 columns). */
export const isBigCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;

/** `external_urls.spotify`, or undefined when absent or not a string. */
export function spotifyUrl(value: JsonObject): string | undefined {
  const urls = value.external_urls;
  return isObject(urls) && typeof urls.spotify === "string" ? urls.spotify : undefined;
}

/** Ids of a list of artist objects, or undefined when any of them has no valid id. */
export function artistIdsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids: string[] = [];
  for (const artist of value) {
    if (!isObject(artist) || !isSpotifyId(artist.id)) return undefined;
    ids.push(artist.id);
  }
  return ids;
}

// RFC 3339 as Spotify writes it (`2024-03-01T12:34:56Z`), fractions and offsets allowed;
// Date.parse alone accepts far looser text, and rolls 2024-02-30 over into March.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an RFC 3339 instant, or undefined when it is not one. */
export function instantMillis(value: string): number | undefined {
  const match = INSTANT.exec(value);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  // The common case, whole seconds in UTC (`2024-03-01T12:34:56Z`), needs no second parse.
  // (Date.UTC reads years 0-99 as 1900-1999, so those take the general path.)
  if (value.length === 20 && y >= 100) return day.getTime() + ((h * 60 + mi) * 60 + s) * 1000;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}

type WellFormed = { isWellFormed(): boolean };

/**
 * Whether a row's text fields (strings, lists of strings) all hold well-formed Unicode. JSON
 * may escape a lone surrogate (`"\ud800"`), which Parquet's UTF-8 cannot hold: written, it
 * would silently become U+FFFD, so such a record is set aside instead.
 */
export function hasWellFormedText(row: object): boolean {
  for (const value of Object.values(row)) {
    if (typeof value === "string") {
      if (!(value as unknown as WellFormed).isWellFormed()) return false;
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === "string" && !(item as unknown as WellFormed).isWellFormed()) {
          return false;
        }
      }
    }
  }
  return true;
}
