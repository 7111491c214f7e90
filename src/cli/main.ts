/**
 * The `aunce` command line: one sub-command per file in ./commands, each exporting
 * `register(program)`. `run(argv)` returns the process exit code.
 */
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.ts";
import { helpOptionTerm, SPELLING_NOTE } from "./util/flags.ts";
import { setCliArgv } from "./util/argv.ts";

/** Builds the CLI program with every registered sub-command. */
export function buildProgram(): Command {
  const program = new Command("aunce")
    .description("Facial Action Unit detection and AUNCE training on libtorch")
    .version("0.1.0")
    .showHelpAfterError()
    .configureHelp({ optionTerm: helpOptionTerm })
    .addHelpText("afterAll", `\n${SPELLING_NOTE}`)
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI on `argv` (as in process.argv) and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // Commands report a failure by setting process.exitCode; a value set before this call (by the
  // host program, or a test runner that saw a failure) must not become this command's result.
  const outer = process.exitCode;
  process.exitCode = undefined;
  setCliArgv(argv);
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const msg = err instanceof Error ? err.message : String(err);
    console.error(msg.startsWith("aunce: ") ? msg : `aunce: ${msg}`);
    if (process.env.AUNCE_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  } finally {
    process.exitCode = outer;
  }
}
