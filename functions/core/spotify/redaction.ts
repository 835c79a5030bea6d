// Every message the Spotify client builds from what it received passes through here: a
// Spotify error body can echo a header, and a network error can quote a URL or a form, so
// the client secret, the refresh tokens and every access token issued are cut out of it
// before it becomes an error message or a log line. Also reads Spotify's own reason out of
// an error answer, the part of those messages that comes from Spotify.

import { SpotifyRequestError } from "../../commons/errors";
import { isObject } from "../../commons/json";

/** Longest piece of a Spotify error body quoted in an error message. */
const MAX_REASON_CHARS = 200;

export class Redactor {
  /** `secrets` is asked on every call: tokens issued later are redacted too. */
  constructor(private readonly secrets: () => readonly (string | undefined)[]) {}

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets()) {
      if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  /** Spotify's own words for an error answer, shortened and scrubbed of any secret. */
  reasonOf(answer: { json: unknown; body?: Uint8Array }): string {
    const json = answer.json;
    let reason: unknown;
    if (isObject(json)) {
      const error = json.error;
      if (isObject(error)) reason = error.message;
      else if (typeof error === "string") {
        // The accounts service answers `{error, error_description}`.
        reason =
          typeof json.error_description === "string"
            ? `${error}: ${json.error_description}`
            : error;
      }
    }
    // Some of Spotify's refusals are plain text (e.g. "Active premium subscription required
    // for the owner of the app"): quoted as sent, since they are the only explanation.
    const plain = json === undefined && answer.body ? plainText(answer.body) : "";
    const text =
      typeof reason === "string" && reason !== ""
        ? reason
        : plain !== ""
          ? `"${plain}"`
          : "(no error message)";
    return this.redact(text.slice(0, MAX_REASON_CHARS));
  }

  /** The error for an answer no caller has a more specific meaning for. */
  requestError(answer: { json: unknown; status: number }, endpoint: string): SpotifyRequestError {
    return new SpotifyRequestError(answer.status, endpoint, this.reasonOf(answer));
  }
}

/** A non-JSON body as one line of text ("" when empty or not text). */
function plainText(body: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(
    body.slice(0, 4 * MAX_REASON_CHARS),
  );
  const line = text.replace(/\s+/g, " ").trim();
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\uFFFD]/.test(line) ? "" : line.slice(0, MAX_REASON_CHARS - 2);
}
