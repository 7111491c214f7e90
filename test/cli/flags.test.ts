// Every config key is a `train` flag generated from the schema, shown in --help with its default;
// multi-word flags take underscores everywhere, with the dash spelling accepted as an alias.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import YAML from "yaml";
import type { Command, Option } from "commander";
import { buildProgram } from "../../src/cli/main.ts";
import { typedConfig } from "../../src/cli/commands/train.ts";
import { CONFIG_KEYS, CONFIG_KEY_NAMES, defaultText, resolveConfig, type TrainConfig } from "../../src/train/config.ts";

const command = (name: string): Command => buildProgram().commands.find((c) => c.name() === name)!;

/** A value to type for each key, and what the resolved config must then hold. */
const SAMPLES: Record<keyof TrainConfig, [string[], unknown]> = {
  dataset: [["DISFA"], "DISFA"], data_root: [["/tmp/d"], "/tmp/d"], fold: [["2"], 2], exp_name: [["x1"], "x1"], out_dir: [["/tmp/o"], "/tmp/o"],
  gpu_ids: [["-1"], "-1"], device: [["cuda:1"], "cuda:1"], amp: [["bf16"], "bf16"], deterministic: [[], true], backbone: [["resnet18"], "resnet18"], drop_path: [["0.1"], 0.1], pretrained: [["w.pth"], "w.pth"],
  info_nce: [["enhance"], "enhance"], supervised: [[], true], freeze_backbone: [[], true], sync_bn: [[], true], epochs: [["15"], 15], batch_size: [["8"], 8], lr: [["2e-5"], 2e-5],
  lr_decay_last_epochs: [["2"], 2], weight_decay: [["0.01"], 0.01], betas: [["0.8,0.99"], [0.8, 0.99]], temperature: [["0.2"], 0.2],
  neg_betas: [["1,1"], [1, 1]], positive_types: [["view"], "view"], init_from: [["enc.safetensors"], "enc.safetensors"],
  seed: [["7"], 7], crop_size: [["96"], 96], workers: [["3"], 3], checkpoint_every: [["10"], 10], max_steps: [["5"], 5],
};

describe("command-line flags", () => {
  it("every config key is a train flag, in both spellings, and reaches the resolved config", () => {
    for (const key of CONFIG_KEY_NAMES) {
      const [args, want] = SAMPLES[key];
      for (const flag of new Set([`--${key}`, `--${key.replace(/_/g, "-")}`])) {
        const cmd = command("train");
        const { unknown } = cmd.parseOptions([flag, ...args]);
        assert.deepEqual(unknown, [], `${flag} is not accepted`);
        const typed = typedConfig(cmd.opts());
        const c = resolveConfig({ dataset: "BP4D" }, typed);
        assert.deepEqual(c[key], want, `${flag} ${args.join(" ")}`);
      }
    }
  });

  it("train --help lists every key with its default", () => {
    const help = command("train").helpInformation().replace(/\s+/g, " ");
    for (const key of CONFIG_KEY_NAMES) {
      assert.ok(help.includes(`--${key} `), `--${key} missing from --help`);
      const def = defaultText(key);
      if (def !== null) assert.ok(help.includes(`(default: ${def})`), `--${key}: no '(default: ${def})' in --help`);
    }
    // The reference recipe (configs/bp4d.yaml), spelled out so that a wrong source of defaults fails here.
    for (const [flag, def] of [["epochs", "60"], ["batch_size", "32"], ["lr", "1e-5"], ["drop_path", "0.5"], ["temperature", "0.5"], ["betas", "0.9,0.999"], ["seed", "3407"], ["crop_size", "224"], ["fold", "1"], ["backbone", "swin_b"]]) {
      assert.match(help, new RegExp(`--${flag} <[^>]+> (?:(?! --\\w).)*\\(default: ${def.replace(".", "\\.")}\\)`), flag);
    }
    assert.ok(!/--batch-size/.test(help), "--help shows one spelling");
  });

  it("the packaged configs use only schema keys, so every key they set is a flag", () => {
    const dir = fileURLToPath(new URL("../../configs/", import.meta.url));
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml"))) {
      for (const k of Object.keys(YAML.parse(readFileSync(dir + f, "utf8")))) assert.ok(k in CONFIG_KEYS, `${f}: '${k}' is not a config key`);
    }
  });

  it("every command writes multi-word flags with underscores and accepts the dash spelling", () => {
    const long = (o: Option) => o.long!;
    let seen = 0;
    for (const cmd of buildProgram().commands) {
      for (const o of cmd.options as Option[]) {
        const name = long(o).slice(2);
        if (name.startsWith("no-")) {
          assert.equal(o.short, `--no_${name.slice(3).replace(/-/g, "_")}`, `${cmd.name()} ${o.flags}: no underscore spelling`);
          continue;
        }
        assert.ok(!name.includes("-"), `${cmd.name()} ${o.flags}: dash spelling as the name`);
        if (name.includes("_")) {
          assert.equal(o.short, `--${name.replace(/_/g, "-")}`, `${cmd.name()} --${name}: no dash alias`);
          seen++;
        }
      }
    }
    assert.ok(seen >= 20, `${seen} multi-word flags`);
    const detect = command("detect");
    detect.parseOptions(["--detect-every", "3", "--min_confidence", "0.7", "--no_progress"]);
    assert.deepEqual([detect.opts().detect_every, detect.opts().min_confidence, detect.opts().progress], ["3", "0.7", false]);
  });
});
