// Reading what Spotify answered, without throwing: whether a status is a success, and the
// body as JSON when it is JSON. Shared by the transport, the token source, the pager and the
// error messages, which each decide what a miss means.

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The body as JSON; undefined when it is not valid UTF-8 JSON. */
export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
}
