// The operations CLI's one error: a message that says what went wrong and what to do, printed
// as is (exit 1). AWS SDK errors are translated here, once, into the cases an operator meets:
// no credentials, a wrong region, a stack that is not deployed, an execution that does not
// exist, a refused redrive, a permission the caller lacks. Messages never hold a secret value.

export class OpsError extends Error {
  override readonly name = "OpsError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What the call was about, for the message: e.g. `execution arn:...` or `stack spotify-lake-dev`. */
export interface CallContext {
  region: string;
  /** The thing the call was about, named in "not found" messages. */
  subject?: string;
  /** What to do when the subject does not exist. */
  notFoundHint?: string;
}

const errorName = (error: unknown): string =>
  error && typeof error === "object" && "name" in error ? String(error.name) : "";

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** An OpsError for an AWS SDK failure; anything unrecognised keeps its name and message. */
export function explainAwsError(error: unknown, context: CallContext): OpsError {
  if (error instanceof OpsError) return error;
  const name = errorName(error);
  const message = errorMessage(error);
  const subject = context.subject ?? "the resource";
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new OpsError(
      "No AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`), or " +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run the command again.",
      { cause: error },
    );
  }
  if (
    ["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"].includes(
      name,
    ) ||
    /security token included in the request is (invalid|expired)/i.test(message)
  ) {
    return new OpsError(
      `AWS refused the credentials (${name}): they are invalid or expired. Refresh them ` +
        "(`aws sso login`, or new access keys) and run the command again.",
      { cause: error },
    );
  }
  if (name === "ExpiredTokenException" || name === "ExpiredToken") {
    return new OpsError(
      "The AWS session has expired: run `aws sso login` (or renew the session) and try again.",
      { cause: error },
    );
  }
  if (
    ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED"].some((code) => message.includes(code)) ||
    (error as { code?: string })?.code === "ENOTFOUND"
  ) {
    return new OpsError(
      `Cannot reach AWS in region ${context.region} (${message}): check the region (the stage ` +
        "file's region, or --region) and the network.",
      { cause: error },
    );
  }
  if (name === "AccessDeniedException" || name === "AccessDenied") {
    return new OpsError(
      `Not allowed: ${message}. The operator's role needs this permission on ${subject} ` +
        "(the CLI is not a stack principal: grant it to your own role).",
      { cause: error },
    );
  }
  if (
    [
      "ExecutionDoesNotExist",
      "StateMachineDoesNotExist",
      "ResourceNotFoundException",
      "InvalidRequestException",
    ].includes(name) &&
    (name !== "InvalidRequestException" || /not found|does not exist|can't find/i.test(message))
  ) {
    return new OpsError(
      `${subject} was not found in region ${context.region}.` +
        (context.notFoundHint ? ` ${context.notFoundHint}` : ""),
      { cause: error },
    );
  }
  return new OpsError(`${name || "Error"}: ${message}`, { cause: error });
}

/** Runs one AWS call, translating its failure. */
export async function awsCall<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainAwsError(error, context);
  }
}
