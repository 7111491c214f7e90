/**
 * `aunce train`: AUNCE pre-training (or, with --supervised, the ME-GraphAU stage-1 baseline) with
 * the reference's interface: --dataset BP4D|DISFA|<prepared dir> --fold --exp_name --gpu_ids
 * --info_nce enhance. Defaults are configs/<dataset>.yaml; any key can be set with --set k=v.
 */
import { Command, Option } from "commander";
import cliProgress from "cli-progress";
import { interruptSignal } from "../util/interrupt.ts";

/** Collects repeated --set values. */
const collect = (v: string, prev: string[]) => [...prev, v];

/** Options shared by train-like commands, mapped onto TrainConfig keys. */
export function trainOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--dataset <name>", "BP4D, DISFA, or a prepared folder (from `aunce prepare`)")
    .option("--data_root <dir>", "prepared folder for --dataset BP4D/DISFA (default data/bp4d, data/disfa)")
    .option("--fold <k>", "test fold 1, 2 or 3")
    .option("--exp_name <name>", "run name; output in <out_dir>/<exp_name>")
    .option("--out_dir <dir>", "folder for runs (default runs)")
    .option("--gpu_ids <ids>", "GPU ids as in the reference ('' or -1 = CPU)")
    .addOption(new Option("--info_nce <kind>", "contrastive loss").choices(["enhance"]))
    .option("--supervised", "train the supervised ME-GraphAU stage-1 baseline (weighted asymmetric loss)")
    .option("--backbone <name>", "swin_b, swin_s, swin_t, resnet50, resnet18, ...")
    .option("--pretrained <file>", "ImageNet weights for the backbone (.pth or .safetensors)")
    .option("--epochs <n>")
    .option("--batch_size <n>")
    .option("--lr <x>")
    .option("--weight_decay <x>")
    .option("--seed <n>")
    .option("--crop_size <n>")
    .option("--workers <n>", "data-loading threads (0 = one per core)")
    .option("--checkpoint_every <n>", "steps between checkpoints (also at every epoch end)")
    .option("--max_steps <n>", "stop after n steps (smoke runs)")
    .option("--config <file>", "YAML file with any config keys")
    .option("--set <key=value>", "set any config key (repeatable)", collect, [] as string[]);
}

export function register(program: Command): void {
  trainOptions(program.command("train").description("AUNCE contrastive pre-training (or --supervised baseline) on one fold"))
    .option("--resume", "continue the run in <out_dir>/<exp_name> exactly where it stopped")
    .action(async (opts: Record<string, unknown>) => {
      const { resolveConfig, readConfigFile, parseOverrides } = await import("../../train/config.ts");
      const { train } = await import("../../train/trainer.ts");
      const { set, config: file, resume, ...cli } = opts as { set: string[]; config?: string; resume?: boolean } & Record<string, unknown>;
      const config = resolveConfig(file ? readConfigFile(file) : {}, cli as never, parseOverrides(set));
      const bar = new cliProgress.SingleBar({
        format: "{bar} {percentage}% | step {value}/{total} | epoch {epoch} | loss {loss} | {ips} img/s | ETA {eta_formatted}",
        hideCursor: true,
        noTTYOutput: !process.stderr.isTTY,
        notTTYSchedule: 10000,
      }, cliProgress.Presets.shades_classic);
      const stop = interruptSignal("train");
      try {
        const result = await train(config, {
          resume,
          signal: stop.signal,
          events: {
            start: (i) => {
              console.log(`${config.supervised ? "supervised ME-GraphAU baseline" : "AUNCE pre-training"}: ${config.backbone}, ${i.parameters.toLocaleString("en-US")} parameters, fold ${config.fold}, ${i.stepsPerEpoch} steps/epoch -> ${i.runDir}`);
              bar.start(i.totalSteps, i.step, { epoch: 0, loss: "-", ips: "-" });
            },
            step: (s) => bar.update(s.step, { epoch: s.epoch, loss: s.loss.toFixed(4), ips: s.imagesPerSec.toFixed(1) }),
          },
        });
        bar.stop();
        console.log(`${result.stopped === "done" ? "finished" : result.stopped === "interrupted" ? "interrupted; resume with --resume" : "stopped at --max_steps"} after ${result.steps} steps; checkpoint ${result.checkpoint}`);
        if (result.stopped === "interrupted") process.exitCode = 130;
      } finally {
        bar.stop();
        stop.dispose();
      }
    });
}
