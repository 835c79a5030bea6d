// The Middy shell every pipeline Lambda shares: structured JSON logs (Powertools) carrying the
// snapshot and the execution, one log line per failure with the error's name, and nothing else.
// Handlers stay thin: validate the event, call one core function, return keys and counts.

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";

export const logger = new Logger({ serviceName: "spotify-lake" });

/** Adds the run's snapshot and execution to every log line of the invocation. */
const runLogKeys = (): MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: (request) => {
    const run = (request.event as { run?: { snapshot?: unknown; executionId?: unknown } } | null)
      ?.run;
    logger.appendKeys({
      snapshot: typeof run?.snapshot === "string" ? run.snapshot : undefined,
      executionId: typeof run?.executionId === "string" ? run.executionId : undefined,
    });
  },
  onError: (request) => {
    const error = request.error;
    // The message is ours and never holds secrets; the stack stays out of the state machine.
    logger.error("step failed", { errorName: error?.name, errorMessage: error?.message });
  },
});

export type StepFunction<E, R, C extends Context = Context> = (event: E, context: C) => Promise<R>;

export function pipelineHandler<E, R, C extends Context = Context>(step: StepFunction<E, R, C>) {
  return middy<E, R, Error, C>(step)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runLogKeys() as MiddlewareObj<E, R, Error, C>);
}
