/** Every sub-command of the CLI; add a file in this folder and list its `register` here. */
import type { Command } from "commander";
import { register as demo } from "./demo.ts";
import { register as detect } from "./detect.ts";
import { register as doctor } from "./doctor.ts";
import { register as evaluate } from "./evaluate.ts";
import { register as exportCmd } from "./export.ts";
import { register as inspect } from "./inspect.ts";
import { register as linearEval } from "./linear-eval.ts";
import { register as prepare } from "./prepare.ts";
import { register as setup } from "./setup.ts";
import { register as synth } from "./synth.ts";
import { register as train } from "./train.ts";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [detect, demo, synth, prepare, train, linearEval, evaluate, exportCmd, inspect, doctor, setup];
