/**
 * SynthAU throughput: images per second for `aunce synth` (BP4D-style JPEG and DISFA-style PNG,
 * 256x256), end to end (labels, rendering, encoding, writing), with the worker count given.
 * Also reports process CPU time per image (all threads), which is what a shared machine can't hide:
 * 2 free cores give at most 2000 / (CPU ms per image) images/s.
 *
 *   node --import tsx bench/synth.ts [--workers 2] [--subjects 6] [--sequences 2] [--frames 60] [--domain lab|photo]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateSynthDataset, SYNTH_DOMAINS, type SynthDomain } from "../src/synth/index.ts";
import { writeBenchResults } from "./results.ts";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: String(Math.min(2, availableParallelism())) },
    subjects: { type: "string", default: "6" },
    sequences: { type: "string", default: "2" },
    frames: { type: "string", default: "60" },
    domain: { type: "string", default: "lab" },
  },
});
const domain = values.domain as SynthDomain;
if (!SYNTH_DOMAINS.includes(domain)) throw new Error(`--domain: expected ${SYNTH_DOMAINS.join(" or ")}, got ${values.domain}`);
const root = mkdtempSync(join(tmpdir(), "synthau-bench-"));
const rate: Record<string, number> = {};
try {
  for (const style of ["bp4d", "disfa"] as const) {
    const cpu0 = process.cpuUsage();
    const r = await generateSynthDataset({
      style, subjects: Number(values.subjects), sequences: Number(values.sequences), frames: Number(values.frames),
      out: join(root, style), seed: 1, workers: Number(values.workers), domain,
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / r.images;
    rate[style] = r.imagesPerSecond;
    console.log(
      `synth ${style} (${domain} domain): ${r.images} images 256x256, workers ${values.workers}: ${r.imagesPerSecond.toFixed(1)} images/s wall ` +
        `(${r.seconds.toFixed(1)} s incl. worker start-up), ${cpuMs.toFixed(1)} CPU ms/image -> <= ${(2000 / cpuMs).toFixed(0)} images/s on 2 free cores; ` +
        `load average ${loadavg()[0].toFixed(1)}`,
    );
  }
  writeBenchResults("synth", [
    { id: domain === "lab" ? "synth.render" : `synth.render.${domain}`, benchmark: `SynthAU rendering${domain === "lab" ? "" : ` (${domain} domain)`}, 256 px, ${values.workers} worker${values.workers === "1" ? "" : "s"}`, ours: `${rate.bp4d.toFixed(0)} img/s (BP4D, JPEG), ${rate.disfa.toFixed(0)} img/s (DISFA, PNG)`, values: { bp4dImagesPerSecond: rate.bp4d, disfaImagesPerSecond: rate.disfa } },
  ]);
} finally {
  rmSync(root, { recursive: true, force: true });
}
