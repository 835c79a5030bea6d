// The Middy shell every pipeline Lambda shares: structured JSON logs (Powertools) carrying the
// snapshot and the execution, one log line per failure with the error's name, and nothing else.
// Handlers stay thin: validate the event, call one core function, return keys and counts.

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";

export const logger = new Logger({ serviceName: "spotify-lake" });

/**
 * Longest error message a step hands to Step Functions. The message becomes the state's Cause,
 * which a Catch may carry into the state (the Map collects one per unavailable playlist), and
 * state payloads are capped at 256 KiB: a longer message is cut, pointing to the log line
 * that holds it whole.
 */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/** The message cut to MAX_ERROR_MESSAGE_CHARS, naming where the whole one is logged. */
export function boundedErrorMessage(
  message: string,
  context: Pick<Context, "logGroupName" | "awsRequestId">,
): string {
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  const pointer = ` … [${message.length - MAX_ERROR_MESSAGE_CHARS} more characters in the "step failed" log line of ${context.logGroupName}, request ${context.awsRequestId}]`;
  return message.slice(0, MAX_ERROR_MESSAGE_CHARS) + pointer;
}

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
    // A wait the step asks the state machine for is no failure: the step logged it as a warning.
    if (error?.name !== "SpotifyRateLimitWaitRequested") {
      logger.error("step failed", { errorName: error?.name, errorMessage: error?.message });
    }
    if (error) error.message = boundedErrorMessage(error.message, request.context);
  },
});

export type StepFunction<E, R, C extends Context = Context> = (event: E, context: C) => Promise<R>;

export function pipelineHandler<E, R, C extends Context = Context>(step: StepFunction<E, R, C>) {
  return middy<E, R, Error, C>(step)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runLogKeys() as MiddlewareObj<E, R, Error, C>);
}
