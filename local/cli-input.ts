// The execution input the command line builds from its options. An option given empty
// (`--playlists ""`, `--mode ""`) is a mistake, not a request for the default: it is refused
// by name rather than silently dropped.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface RunOptionValues {
  snapshot?: string | undefined;
  playlists?: string | undefined;
  mode?: string | undefined;
}

/** Refuses any string option given empty, naming it. */
export function refuseEmptyOptions(values: Record<string, unknown>): void {
  for (const [option, value] of Object.entries(values)) {
    if (typeof value === "string" && value.trim() === "") {
      throw new UsageError(
        `--${option} is empty: give a value, or leave the option out for the default`,
      );
    }
  }
}

export function executionInputOf(values: RunOptionValues): Record<string, unknown> {
  refuseEmptyOptions({ ...values });
  const input: Record<string, unknown> = {};
  if (values.snapshot !== undefined) input.snapshot = values.snapshot;
  if (values.playlists !== undefined) {
    input.playlists = values.playlists.split(",").map((s) => s.trim());
  }
  if (values.mode !== undefined) input.mode = values.mode;
  return input;
}
