/** Every sub-command of the CLI; add a file in this folder and list its `register` here. */
import type { Command } from "commander";
import { register as detect } from "./detect.ts";
import { register as inspect } from "./inspect.ts";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [detect, inspect];
