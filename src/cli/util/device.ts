/**
 * The device flags every compute command shares: `--device cpu|cuda|cuda:N` and the reference's
 * `--gpu_ids` (its first id), checked before any work.
 */
import type { Command } from "commander";
import { checkDevice, deviceFromIds } from "../../tensor/index.ts";
import { option } from "./flags.ts";

export function addDeviceOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(option("--device <device>", `where ${what} computes: cpu, cuda or cuda:N (default cpu)`))
    .addOption(option("--gpu_ids <ids>", "as --device cuda:<first id> (the reference's flag; '' or -1 = CPU)"));
}

/** --device, else --gpu_ids' first id, else the CPU; a clear error for a device this engine lacks. */
export function deviceFromFlags(opts: { device?: string; gpu_ids?: string }): string {
  return checkDevice(deviceFromIds(opts.device, opts.gpu_ids));
}
