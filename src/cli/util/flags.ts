/**
 * One flag spelling across commands: multi-word flags are written with underscores, as in the
 * reference (`--batch_size`), and the dash spelling (`--batch-size`) is accepted as an alias.
 * --help shows the underscore spelling only (see helpOptionTerm).
 */
import { Option } from "commander";

/** The --help term of options with a dash alias, without the alias. */
const shown = new WeakMap<Option, string>();

/**
 * An Option from commander-style flags (`--batch_size <n>`, `-o, --output <file>`,
 * `--no_progress`); an underscore long flag also answers to its dash spelling.
 */
export function option(flags: string, description?: string): Option {
  const m = /^--(\w+)(.*)$/.exec(flags);
  if (!m || !m[1].includes("_")) return new Option(flags, description);
  const dashed = `--${m[1].replace(/_/g, "-")}`;
  // commander takes the second of two long flags as the option's name; a negation (--no-x) keeps
  // its dash spelling there so that commander recognises it.
  const o = m[1].startsWith("no_") ? new Option(`--${m[1]}, ${dashed}${m[2]}`, description) : new Option(`${dashed}, --${m[1]}${m[2]}`, description);
  shown.set(o, `--${m[1]}${m[2]}`);
  return o;
}

/** For commander's configureHelp: the option's term as --help prints it. */
export function helpOptionTerm(o: Option): string {
  return shown.get(o) ?? o.flags;
}

/** The note --help prints under every command. */
export const SPELLING_NOTE = "Multi-word flags are written with underscores (--batch_size); the dash spelling (--batch-size) works too.";
