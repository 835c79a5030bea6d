// ValidateSnapshot: StartValidation and GetValidationStatus states. Starts the SQL checks
// of this snapshot's partition, then collects them; a failed check throws DataQualityError.

import { InvalidInputError } from "../commons/errors";
import { LAKE_TABLES } from "../commons/keys";
import { logger, pipelineHandler } from "../commons/lambda";
import type { QueryEngine } from "../commons/ports";
import { readRunRef } from "../core/run";
import type { TransformedRows } from "../core/validate/checks";
import type { ValidationProgress } from "../core/validate/validation-progress";
import { checkValidation, startValidation } from "../core/validate/validation-progress";

export type ValidateSnapshotEvent = (
  | { action: "start"; run: unknown; transform: unknown }
  | { action: "status"; run: unknown; transform: unknown; checks: ValidationProgress }
) & {
  /** `$$.Execution.RedriveCount`: tells a redriven poll from the original one. */
  redriveCount?: number;
};

function readTransformedRows(transform: unknown): TransformedRows {
  const rows = (transform as { rows?: Record<string, unknown> } | null)?.rows;
  if (!rows) throw new InvalidInputError("transform.rows", "is missing");
  for (const table of LAKE_TABLES) {
    if (!Number.isInteger(rows[table])) {
      throw new InvalidInputError(`transform.rows.${table}`, "must be a row count");
    }
  }
  return rows as TransformedRows;
}

export function createValidateSnapshotHandler(deps: { queryEngine: QueryEngine }) {
  return pipelineHandler(async (event: ValidateSnapshotEvent): Promise<ValidationProgress> => {
    const { snapshot } = readRunRef(event);
    const rows = readTransformedRows(event.transform);
    const redriveCount = Number.isInteger(event.redriveCount) ? event.redriveCount! : 0;
    let progress: ValidationProgress;
    if (event.action === "start") {
      progress = await startValidation(deps.queryEngine, snapshot, rows, redriveCount);
    } else if (event.action === "status") {
      if (!Array.isArray(event.checks?.queries)) {
        throw new InvalidInputError("checks", "must be the StartValidation state's output");
      }
      progress = await checkValidation(
        deps.queryEngine,
        snapshot,
        rows,
        event.checks,
        redriveCount,
      );
    } else {
      throw new InvalidInputError("action", "must be start or status");
    }
    logger.info("validation progress", {
      done: progress.done,
      polls: progress.polls,
      results: progress.results,
    });
    return progress;
  });
}
