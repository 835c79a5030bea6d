// The Middy shell every step shares (functions/commons/lambda.ts): an error's message becomes
// the state's Cause, which a Catch may carry in the state, so a long one is cut to a bound and
// points to the log line holding it whole.

import { describe, expect, it } from "vitest";
import { MAX_ERROR_MESSAGE_CHARS, pipelineHandler } from "../../functions/commons/lambda";
import { lambdaContext } from "../../local/lambda-runtime";

const failingWith = (message: string) =>
  pipelineHandler(async () => {
    const error = new Error(message);
    error.name = "PlaylistUnavailableError";
    throw error;
  });

describe("pipelineHandler", () => {
  it("cuts a long error message, naming the log group and request that hold it whole", async () => {
    const context = lambdaContext("spotify-lake-local-extract-playlist");
    const message = `playlist 3cEYpjA9oz9GiPac4AsH4n: ${"details ".repeat(1000)}`;

    const thrown = await failingWith(message)({}, context).catch((error: Error) => error);

    expect((thrown as Error).name).toBe("PlaylistUnavailableError");
    const cut = (thrown as Error).message;
    expect(cut.startsWith(message.slice(0, MAX_ERROR_MESSAGE_CHARS))).toBe(true);
    expect(cut.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 200);
    expect(cut).toContain(`${message.length - MAX_ERROR_MESSAGE_CHARS} more characters`);
    expect(cut).toContain(context.logGroupName);
    expect(cut).toContain(context.awsRequestId);
  });

  it("leaves a message within the bound as it is", async () => {
    const context = lambdaContext("spotify-lake-local-extract-playlist");
    const thrown = await failingWith("playlist 3cEYpjA9oz9GiPac4AsH4n answered 404")(
      {},
      context,
    ).catch((error: Error) => error);
    expect((thrown as Error).message).toBe("playlist 3cEYpjA9oz9GiPac4AsH4n answered 404");
  });
});
