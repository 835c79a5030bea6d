// Imported first by the CLI: the handlers' structured JSON logs are for CloudWatch; on a
// terminal they drown the state-by-state progress, so show warnings only unless --verbose.
if (!process.argv.includes("--verbose")) process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
export {};
