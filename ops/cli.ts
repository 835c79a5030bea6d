// The operations CLI (`spotify-lake <verb>`, also `npm run <verb>`): the same verbs for the
// local pipeline and a deployed stage. `--stage <stage>` talks to that stack (its region and
// outputs: ops/clients.ts); without it (or with --local) a verb works on the local pipeline,
// handing over to the local commands (local/cli.ts) where they exist. The verbs are in
// ops/commands (parsing and printing only); the work is in ops/aws, ops/backfill and local/.

import "../local/quiet-logs";
import { Command, CommanderError } from "commander";
import { addBackfillCommand } from "./commands/backfill";
import { addExecutionCommands } from "./commands/executions";
import { addQueryCommand } from "./commands/query";
import { addSpotifyCommands } from "./commands/spotify";
import { OpsError } from "./errors";

export { sinceOf } from "./command-options";

export function buildProgram(exit: { code: number } = { code: 0 }): Command {
  /** Commander drops an action's result: keep its exit code. */
  const act =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exit.code = await action(...args);
    };
  const program = new Command("spotify-lake")
    .description(
      "Operate the pipeline: the same verbs for the local pipeline and a deployed stage (--stage).",
    )
    .showHelpAfterError()
    .exitOverride();

  addExecutionCommands(program, act);
  addBackfillCommand(program, act);
  addQueryCommand(program, act);
  addSpotifyCommands(program, act);
  return program;
}

/** Parses and runs; resolves to the exit code (2 for usage errors, 1 for failures). */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv, { from: "user" });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof OpsError || (error as Error).name === "InvalidInputError") {
      console.error((error as Error).message);
      return 1;
    }
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
