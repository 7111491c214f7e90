// Data-parallel training with Gloo on loopback (2 CPU processes through `aunce train
// --nproc_per_node 2`): the same run as one process with the whole batch (AUNCE and the
// supervised baseline, with sync_bn), Ctrl-C on the launcher, a killed worker that stops the run
// with a clear error, a distributed resume that reproduces the uninterrupted run step for step, and
// a hung (stopped) worker that the others and the launcher give up on within the timeout.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readAunceCheckpoint } from "../../src/models/checkpoint/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { readResumeState } from "../../src/train/state.ts";
import { train } from "../../src/train/trainer.ts";
import { CLI_ENTRY, freePort, runTs } from "../helpers/dist.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

const STEPS = 10;
/** tinyConfig (resnet_tiny, batch 4) for `steps` steps as CLI flags. */
function flags(out: string, extra: string[] = []): string[] {
  const c = tinyConfig(prepared, out, { epochs: 1, max_steps: STEPS });
  const f = ["--dataset", c.dataset, "--data_root", c.data_root, "--fold", "1", "--out_dir", out, "--exp_name", c.exp_name, "--backbone", c.backbone,
    "--batch_size", String(c.batch_size), "--crop_size", String(c.crop_size), "--epochs", "1", "--lr", String(c.lr), "--workers", "1",
    "--max_steps", String(STEPS)];
  return [...f, ...extra];
}
async function launch(args: string[], timeoutSec = 20) {
  return runTs(CLI_ENTRY, ["train", ...args, "--nproc_per_node", "2", "--master_port", String(await freePort()), "--dist_timeout", String(timeoutSec)]);
}
/** The pid of the launcher's worker with RANK=`rank` (a child of the launcher). */
function workerPid(launcher: number, rank: number): number {
  const kids = readFileSync(`/proc/${launcher}/task/${launcher}/children`, "utf8").trim().split(/\s+/).map(Number);
  const pid = kids.find((k) => readFileSync(`/proc/${k}/environ`, "utf8").split("\0").includes(`RANK=${rank}`));
  assert.ok(pid !== undefined, `rank ${rank} found`);
  return pid;
}
/** Whether process `pid` exists (a zombie counts: it is reaped by its parent). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const stepLosses = (runDir: string): number[] =>
  readFileSync(join(runDir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.event === "step").map((e) => e.loss as number);

/** Largest absolute difference between the float32 tensors of two checkpoints (and the others must be equal). */
async function weightDiff(a: string, b: string): Promise<number> {
  const [ma, mb] = [(await readAunceCheckpoint(a)).model, (await readAunceCheckpoint(b)).model];
  assert.deepEqual([...ma.keys()].sort(), [...mb.keys()].sort());
  let worst = 0;
  for (const [k, ta] of ma) {
    const tb = mb.get(k)!;
    assert.deepEqual(ta.shape, tb.shape, k);
    if (ta.dtype !== "float32") {
      assert.deepEqual(ta.data, tb.data, k);
      continue;
    }
    // Copies: the bytes may be a view into a larger buffer at any offset.
    const fa = new Float32Array(new Uint8Array(ta.data).buffer);
    const fb = new Float32Array(new Uint8Array(tb.data).buffer);
    for (let i = 0; i < fa.length; i++) worst = Math.max(worst, Math.abs(fa[i] - fb[i]));
  }
  return worst;
}

/** Resolves once the run's log holds `n` steps (polling; fails after a minute). */
function waitForSteps(runDir: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = setInterval(() => {
      let steps = 0;
      try {
        steps = stepLosses(runDir).length;
      } catch {
        // no log yet
      }
      if (steps >= n) {
        clearInterval(poll);
        resolve();
      } else if (performance.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error(`the run logged ${steps} of ${n} steps in a minute`));
      }
    }, 20);
  });
}

function assertClose(got: number[], want: number[], tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `${what}: step ${i + 1}: ${g} vs ${want[i]}`));
}

let distAunce: number[] = [];

describe("data-parallel training (2 processes, gloo)", () => {
  for (const supervised of [false, true]) {
    const name = supervised ? "supervised baseline with --sync_bn" : "AUNCE with --sync_bn";
    it(`${name}: 2 processes x batch 2 train as 1 process x batch 4 (loss curve and weights)`, async () => {
      const one = makeTempDir("aunce-dist-one-");
      const single = await train(resolveConfig(tinyConfig(prepared, one, { epochs: 1, max_steps: STEPS, supervised, sync_bn: true })));
      const two = makeTempDir("aunce-dist-two-");
      const r = await (await launch(flags(two, supervised ? ["--supervised", "--sync_bn"] : ["--sync_bn"]))).done;
      assert.equal(r.code, 0, r.err);
      const losses = stepLosses(join(two, "run"));
      // Sums are reduced in another order (over ranks, then within): float32 rounding only.
      assertClose(losses, single.losses, 1e-4, name);
      // AdamW moves a weight by up to lr per step whatever the gradient's size, so rounding-level
      // differences in near-zero gradients can move a weight by a fraction of lr: allow 5% of the
      // largest possible movement (lr x steps).
      const diff = await weightDiff(join(one, "run", "last.safetensors"), join(two, "run", "last.safetensors"));
      const lr = tinyConfig(prepared, one).lr;
      assert.ok(diff < 0.05 * lr * STEPS, `final weights differ by ${diff}`);
      if (!supervised) distAunce = losses;
    });
  }

  it("Ctrl-C on the launcher stops every worker after the same step and rank 0 saves there", async () => {
    const out = makeTempDir("aunce-dist-int-");
    const runDir = join(out, "run");
    const proc = await launch(flags(out));
    await waitForSteps(runDir, 2);
    process.kill(proc.pid, "SIGINT");
    const r = await proc.done;
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /interrupted — the 2 worker\(s\) save a checkpoint and stop/);
    const events = readFileSync(join(runDir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const stopped = events.find((e) => e.event === "interrupted");
    assert.ok(stopped, "an interrupted event");
    assert.ok(stopped.step < STEPS);
    assert.equal((await readResumeState(join(runDir, "last.safetensors"))).step, stopped.step);
  });

  it("a killed worker stops the run with an error naming it; resume with 2 processes reproduces the uninterrupted run", async () => {
    assert.equal(distAunce.length, STEPS, "needs the AUNCE run above");
    const out = makeTempDir("aunce-dist-kill-");
    const runDir = join(out, "run");
    const proc = await launch(flags(out, ["--sync_bn", "--checkpoint_every", "2"]));
    // Once a few steps are logged, kill rank 1 (a child of the launcher, found by its RANK).
    await waitForSteps(runDir, 3);
    const rank1 = workerPid(proc.pid, 1);
    process.kill(rank1, "SIGKILL");
    const killedAt = performance.now();
    const r = await proc.done;
    assert.equal(r.code, 1);
    assert.ok(performance.now() - killedAt < 20_000, "the survivor stopped within the timeout");
    assert.match(r.err, new RegExp(`worker rank 1 \\(pid ${rank1}\\) was killed by SIGKILL`));
    assert.match(r.err, /rank 0 of 2: \w+ failed or timed out/);
    // The last checkpoint is intact and records the world size.
    const saved = await readResumeState(join(runDir, "last.safetensors"));
    assert.equal(saved.worldSize, 2);
    assert.ok(saved.step >= 2 && saved.step % 2 === 0 && saved.step < STEPS, `checkpoint at step ${saved.step}`);

    // Another world size is refused.
    await assert.rejects(train({ out_dir: out, exp_name: "run" }, { resume: true }), /written by a 2-process run; resume it with 2 process\(es\)/);
    const resumed = await (await launch(["--resume", "--out_dir", out, "--exp_name", "run"])).done;
    assert.equal(resumed.code, 0, resumed.err);
    // Same world size, same reductions: the resumed curve is the uninterrupted one, bit for bit.
    assert.deepEqual(stepLosses(runDir), distAunce);
  });

  it("a hung worker (SIGSTOP) stops the run within the timeout, naming the ranks; the checkpoint stays loadable; no process is left", async () => {
    const out = makeTempDir("aunce-dist-hang-");
    const runDir = join(out, "run");
    // Short, but not so short that a loaded machine trips it before the hang (the rendezvous and
    // every step wait with it too).
    const timeoutSec = 4;
    const proc = await launch(flags(out, ["--checkpoint_every", "2"]), timeoutSec);
    let rank1: number | undefined;
    let rank0: number | undefined;
    try {
      await waitForSteps(runDir, 3);
      rank0 = workerPid(proc.pid, 0);
      rank1 = workerPid(proc.pid, 1);
      process.kill(rank1, "SIGSTOP");
      const stoppedAt = performance.now();
      const r = await proc.done;
      const ms = performance.now() - stoppedAt;
      assert.equal(r.code, 1, r.err);
      // Rank 0 gives up after the collective timeout; the launcher kills the stopped rank after
      // the timeout and a grace of min(15 s, timeout) once rank 0 has exited.
      assert.ok(ms < (3 * timeoutSec + 10) * 1000, `the run stopped ${ms.toFixed(0)} ms after the hang`);
      assert.match(r.err, /rank 0 of 2: [\w ]+ failed or timed out \(timeout 4\.0 s/);
      assert.match(r.err, new RegExp(`worker rank 1 \\(pid ${rank1}\\) did not stop \\(stopped by a signal\\); killing it`));
      assert.match(r.err, /the run failed: worker rank 0 \(pid \d+\) exited with code 1; worker rank\(s\) 1 hung and were killed/);
      assert.ok(!exists(rank0) && !exists(rank1), "no worker left running");
    } finally {
      // Never leave a stopped process behind, whatever failed above.
      for (const pid of [rank1, rank0]) {
        if (pid !== undefined && exists(pid)) {
          process.kill(pid, "SIGCONT");
          process.kill(pid, "SIGKILL");
        }
      }
      if (exists(proc.pid)) process.kill(proc.pid, "SIGKILL");
      await proc.done;
    }
    // The last checkpoint is intact: loadable, at the last logged checkpoint step.
    const saved = await readResumeState(join(runDir, "last.safetensors"));
    const events = readFileSync(join(runDir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const lastCkpt = events.filter((e) => e.event === "checkpoint").pop();
    assert.ok(lastCkpt && saved.step === lastCkpt.step && saved.step >= 2 && saved.step < STEPS, `checkpoint at step ${saved.step}`);
    assert.ok((await readAunceCheckpoint(join(runDir, "last.safetensors"))).model.size > 0);
  });
});
