/**
 * `aunce train`: AUNCE pre-training (or, with --supervised, the ME-GraphAU stage-1 baseline) with
 * the reference's interface: --dataset BP4D|DISFA|<prepared dir> --fold --exp_name --gpu_ids
 * --info_nce enhance. Defaults are configs/<dataset>.yaml. Every config key is a flag, generated
 * from the config schema (src/train/config.ts), and can also be set with --set k=v.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import { CONFIG_KEYS, CONFIG_KEY_NAMES, DEFAULT_LOCATION, defaultText, parseFlagValue, type TrainConfig } from "../../train/config.ts";
import type { TrainEvents } from "../../train/trainer.ts";
import { modelInfo } from "../../models/registry.ts";
import type { DistContext } from "../../train/distributed.ts";
import { option } from "../util/flags.ts";
import { interruptSignal } from "../util/interrupt.ts";
import { cliArgv } from "../util/argv.ts";

/** Collects repeated --set values. */
const collect = (v: string, prev: string[]) => [...prev, v];

/** One --<key> flag per config key, each showing its default; no value is filled in unless typed. */
export function configOptions(cmd: Command): Command {
  for (const key of CONFIG_KEY_NAMES) {
    const spec = CONFIG_KEYS[key];
    const flags = spec.kind === "flag" ? `--${key}` : `--${key} ${"arg" in spec ? spec.arg : "<value>"}`;
    const def = defaultText(key);
    const o: Option = option(flags, def === null ? spec.help : `${spec.help} (default: ${def})`);
    if ("choices" in spec) o.choices(spec.choices);
    if (spec.kind !== "flag") o.argParser((text: string) => parseFlagValue(key, text));
    cmd.addOption(o);
  }
  return cmd
    .option("--config <file>", "YAML file with any config keys (between the defaults and the flags)")
    .addOption(new Option("--set <key=value>", "set any config key (repeatable; values are YAML scalars or lists)").argParser(collect).default([] as string[], "none"));
}

/** The config keys typed as flags (commander holds no defaults for them, so every value was typed). */
export function typedConfig(opts: Record<string, unknown>): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEY_NAMES) if (opts[key] !== undefined) out[key] = opts[key];
  return out as Partial<TrainConfig>;
}

function intArg(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`expected an integer, got '${text}'`);
  return v;
}

/** The worker's arguments: the launcher's after `node aunce` (workers ignore the launcher flags). */
function trainArgs(argv: readonly string[]): string[] {
  return argv.slice(2);
}

const fmt = (v: unknown) => (Array.isArray(v) ? v.join(",") : String(v));

/** " (face-api weights, frozen)" and the like, for the banner (the run has started: the backbone is known). */
function backboneNote(c: TrainConfig): string {
  const notes = [modelInfo(c.backbone).pretrainedByConstruction ? "face-api weights" : "", c.freeze_backbone ? "frozen" : ""].filter(Boolean);
  return notes.length ? ` (${notes.join(", ")})` : "";
}

export function register(program: Command): void {
  configOptions(program.command("train").description("AUNCE contrastive pre-training (or --supervised baseline) on one fold"))
    .option("--resume", "continue the run in <out_dir>/<exp_name> exactly where it stopped; its saved settings are kept (only --epochs / --max_steps, --workers and --checkpoint_every may change)")
    .addOption(option("--nproc_per_node <n>", "data-parallel: worker processes on this machine (torchrun's flag; --batch_size stays the global batch)").argParser(intArg).default(1))
    .addOption(option("--nnodes <n>", "data-parallel: machines taking part").argParser(intArg).default(1))
    .addOption(option("--node_rank <n>", "data-parallel: this machine's index, 0..nnodes-1").argParser(intArg).default(0))
    .addOption(option("--master_addr <host>", "data-parallel: address of node 0, which hosts the rendezvous store").default("127.0.0.1"))
    .addOption(option("--master_port <port>", "data-parallel: port of the rendezvous store on --master_addr").argParser(intArg).default(29500))
    .addOption(option("--dist_backend <name>", "data-parallel: c10d backend (default: gloo on the CPU, nccl on CUDA)").choices(["gloo", "nccl"]))
    .addOption(option("--dist_timeout <seconds>", "data-parallel: how long the rendezvous and each collective wait for the other ranks").argParser(Number).default(300))
    .addOption(option("--no_progress", "no progress bar (the start and end lines still print)"))
    .addHelpText("after", "\nWithout --fold, fold 1 is trained (and a line says so). `--resume --exp_name X` alone continues run X.\n" +
      "Data-parallel: `--nproc_per_node N` starts N workers here; with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set (torchrun), this process is one worker. See docs/distributed.md.")
    .action(async (opts: Record<string, unknown>) => {
      const { resolveConfig, readConfigFile, parseOverrides, deviceOf } = await import("../../train/config.ts");
      const { train } = await import("../../train/trainer.ts");
      const { distEnv, joinGroup } = await import("../../train/distributed.ts");
      const { set, config: file, resume } = opts as { set: string[]; config?: string; resume?: boolean };
      const launch = opts as { nproc_per_node: number; nnodes: number; node_rank: number; master_addr: string; master_port: number; dist_backend?: "gloo" | "nccl"; dist_timeout: number };
      const worker = distEnv();
      if (!worker && (launch.nproc_per_node > 1 || launch.nnodes > 1)) {
        const { launchWorkers } = await import("../util/launch.ts");
        process.exitCode = await launchWorkers({
          nprocPerNode: launch.nproc_per_node, nnodes: launch.nnodes, nodeRank: launch.node_rank, masterAddr: launch.master_addr, masterPort: launch.master_port,
          timeoutSec: launch.dist_timeout, args: trainArgs(cliArgv()), ...(launch.dist_backend ? { backend: launch.dist_backend } : {}),
        });
        return;
      }
      const layers = [file ? readConfigFile(file) : {}, typedConfig(opts), parseOverrides(set)];
      const given: Partial<TrainConfig> = Object.assign({}, ...layers);
      let config: TrainConfig | undefined;
      if (!resume) {
        if (given.dataset === undefined) throw new Error("train: --dataset is required (BP4D, DISFA or a prepared folder); to continue a run, use --resume --exp_name <name>");
        config = resolveConfig(...layers);
        if (given.fold === undefined && (worker?.rank ?? 0) === 0) console.error(`aunce train: no --fold given; training on fold ${config.fold} (the default). Pass --fold 1, 2 or 3 to choose.`);
      }
      // A data-parallel worker: join the group (CUDA workers use the GPU of their local rank).
      let dist: DistContext | undefined;
      if (worker) {
        const device = config ? deviceOf(config) : "cpu";
        if (config && device.startsWith("cuda")) config = { ...config, device: `cuda:${worker.localRank}`, gpu_ids: "" };
        dist = joinGroup(worker, device);
      }
      const quiet = dist !== undefined && dist.rank !== 0;
      const showBar = !quiet && opts.progress !== false;
      const bar = new cliProgress.SingleBar({
        format: "{bar} {percentage}% | step {value}/{total} | epoch {epoch} | loss {loss} | {ips} img/s | ETA {eta_formatted}",
        hideCursor: true,
        noTTYOutput: !process.stderr.isTTY,
        notTTYSchedule: 10000,
      }, cliProgress.Presets.shades_classic);
      const stop = interruptSignal("train", "saving a checkpoint and stopping");
      let where = { ...DEFAULT_LOCATION }; // the run's location, set when it starts
      try {
        const events: TrainEvents = {
          start: (i) => {
            const c = i.config;
            if (quiet) return;
            if (i.resumed) {
              const r = i.resumed;
              const changed = r.changes.map((ch) => `${ch.key} ${fmt(ch.from)} -> ${fmt(ch.to)}`).join(", ");
              console.log(`resuming ${i.runDir} from step ${r.step} (epoch ${r.epoch + 1}, batch ${r.batch} of ${i.stepsPerEpoch}) of ${r.checkpoint}${changed ? `; changed: ${changed}` : ""}${r.droppedLogLines ? `; dropped ${r.droppedLogLines} log line(s) written after that checkpoint` : ""}`);
            }
            console.log(`${c.supervised ? "supervised ME-GraphAU baseline" : "AUNCE pre-training"}: ${c.backbone}${backboneNote(c)}, ${i.parameters.toLocaleString("en-US")} parameters, fold ${c.fold}, ${c.epochs} epochs of ${i.stepsPerEpoch} steps -> ${i.runDir}`);
            if (showBar) bar.start(i.totalSteps, i.step, { epoch: "-", loss: "-", ips: "-" });
            where = { exp_name: c.exp_name, out_dir: c.out_dir };
          },
          step: (s) => showBar && bar.update(s.step, { epoch: s.epoch + 1, loss: s.loss.toFixed(4), ips: s.imagesPerSec.toFixed(1) }),
        };
        const d = dist ? { dist } : {};
        let result;
        try {
          result = config ? await train(config, { signal: stop.signal, events, ...d }) : await train(given, { signal: stop.signal, events, resume: true, ...d });
        } catch (err) {
          // Name the worker (collective errors already do).
          if (dist && err instanceof Error && !err.message.startsWith("rank ") && !err.message.includes(": rank ")) err.message = `rank ${dist.rank} of ${dist.worldSize}: ${err.message}`;
          throw err;
        }
        bar.stop();
        const again = `aunce train --resume --exp_name ${where.exp_name}${where.out_dir === DEFAULT_LOCATION.out_dir ? "" : ` --out_dir ${where.out_dir}`}`;
        if (!quiet) console.log(`${result.stopped === "done" ? "finished" : result.stopped === "interrupted" ? `interrupted; continue with \`${again}\`` : "stopped at --max_steps"} after ${result.steps} steps; checkpoint ${result.checkpoint}`);
        if (result.stopped === "interrupted") process.exitCode = 130;
      } finally {
        bar.stop();
        stop.dispose();
        dist?.group.close();
      }
    });
}
