// Calls a Middy handler the way AWS Lambda would, for the local state machine: a Lambda-like
// context, the `lambda:invoke` integration's `{FunctionName, Payload}` in and `{Payload}` out,
// and errors surfaced as Lambda reports them (Error = the error's name, Cause = JSON).

import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

export function lambdaContext(functionName: string, timeoutMs = 900_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A thrown error as the Lambda integration hands it to Step Functions. */
export class LambdaInvocationError extends Error {
  constructor(original: Error) {
    super(JSON.stringify({ errorType: original.name, errorMessage: original.message }));
    this.name = original.name;
  }
}

export function lambdaInvokeAdapter(functionName: string, handler: LambdaHandler) {
  return async (parameters: unknown) => {
    const { Payload } = (parameters ?? {}) as { Payload?: unknown };
    try {
      const result = await handler(Payload as never, lambdaContext(functionName));
      // Round-trip through JSON as the real integration does (dates become strings, etc.).
      return { Payload: JSON.parse(JSON.stringify(result ?? null)), StatusCode: 200 };
    } catch (error) {
      throw new LambdaInvocationError(error instanceof Error ? error : new Error(String(error)));
    }
  };
}
