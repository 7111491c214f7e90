/**
 * Output paths checked before a command does any work: a file to write must not be a folder and
 * must sit in an existing, writable folder; a folder to write into must be creatable. Errors are
 * one line naming the flag.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { folderProblem } from "../../train/run-dir.ts";

const writable = (p: string) => {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** Throws unless `file` can be created or overwritten by `flag` (e.g. "-o"). Creates nothing. */
export function checkOutputFile(flag: string, file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new Error(`${flag} ${file} is a folder; give a file name in it (e.g. ${join(file, "aus.csv")})`);
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) throw new Error(`${flag} ${file}: folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`${flag} ${file}: ${dir} is a file, not a folder`);
  if (!writable(dir) || (existsSync(file) && !writable(file))) throw new Error(`${flag} ${file}: not writable`);
}

/** Throws unless `dir` (given to `flag`) is a writable folder or can be created. Creates nothing. */
export function checkOutputFolder(flag: string, dir: string): void {
  const why = folderProblem(dir);
  if (why) throw new Error(`${flag} ${dir}: cannot write there (${why})`);
}
