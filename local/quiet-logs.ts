// Imported first by the CLI: the handlers' structured JSON logs are for CloudWatch; on a
// terminal they drown the state-by-state progress (one failure logs a JSON line per attempt),
// and the progress lines and the summary already name every failure: show none of them unless
// --verbose.
if (!process.argv.includes("--verbose") && !process.env.POWERTOOLS_LOG_LEVEL) {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
export {};
