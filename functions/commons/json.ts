// The one test every reader of untrusted JSON starts with (Spotify's answers, raw manifests,
// stored responses): is this value a plain JSON object whose fields may be looked at?

export type JsonObject = Record<string, unknown>;

/** True for `{...}`; false for null, arrays and every primitive. */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
