/**
 * `aunce demo`: an end-to-end smoke run of the engine — a tiny ResNet trained for a few steps on
 * random 12-AU labels with AdamW — printing the loss, throughput and the engine set-up.
 * (The full AUNCE demo on SynthAU replaces this once training lands.)
 */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("demo")
    .description("run the end-to-end demo")
    .option("--steps <n>", "training steps", "30")
    .action(async (opts: { steps: string }) => {
      const { binaryCrossEntropyWithLogits, engineInfo, manualSeed, rand, randn, tidy } = await import("../../tensor/index.ts");
      const { AdamW, Linear } = await import("../../nn/index.ts");
      const { createResNet } = await import("../../models/backbones/resnet.ts");
      const steps = Number(opts.steps);
      if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got '${opts.steps}'`);
      const info = engineInfo();
      console.log(`engine: libtorch ${info.libtorch}, ${info.blas}, ${info.threads} threads`);
      manualSeed(3407);
      const backbone = createResNet("resnet_tiny", { numClasses: 0 });
      const head = new Linear(backbone.numFeatures, 12);
      const opt = new AdamW([...backbone.parameters(), ...head.parameters()], { lr: 1e-3, weightDecay: 1e-6 });
      const x = randn([16, 3, 64, 64]);
      const y = rand([16, 12]).lt(0.3).to("float32");
      const t0 = performance.now();
      for (let step = 1; step <= steps; step++) {
        const loss = tidy(() => {
          opt.zeroGrad();
          const logits = head.forward(backbone.forwardTokens(x).mean(1));
          const l = binaryCrossEntropyWithLogits(logits, y);
          l.backward();
          return l.item();
        });
        opt.step();
        if (step === 1 || step % 10 === 0 || step === steps) console.log(`step ${String(step).padStart(3)}  loss ${loss.toFixed(4)}`);
        await new Promise((r) => setImmediate(r));
      }
      const secs = (performance.now() - t0) / 1000;
      console.log(`${steps} steps in ${secs.toFixed(1)} s (${((steps * 16) / secs).toFixed(0)} images/s at 64x64)`);
      for (const t of [x, y]) t.dispose();
      opt.dispose();
      head.dispose();
      backbone.dispose();
    });
}
