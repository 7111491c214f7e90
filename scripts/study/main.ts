/** The study command (scripts/study.ts; see there for usage), callable in-process by tests. */
import cliProgress from "cli-progress";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { interruptSignal } from "../../src/cli/util/interrupt.ts";
import { planRuns, readDesign, studyPaths, type RunSelection } from "./design.ts";
import { formatPlan, planTimes, timingProbe } from "./probe.ts";
import { writeStudyReport } from "./report.ts";
import { executeRun, prepareData } from "./run.ts";

export const USAGE = "usage: node --import tsx scripts/study.ts <design.yaml> [--plan] [--report_only] [--folds 1,2,3] [--noise 0,0.4] [--arms id,id] [--workers N] [--device cpu|cuda:N] [--probe_steps N] [--probe_warmup N]";

function list(s: string | undefined, what: string): string[] | undefined {
  if (s === undefined) return undefined;
  const v = s.split(",").map((x) => x.trim()).filter(Boolean);
  if (!v.length) throw new Error(`--${what}: expected a comma-separated list`);
  return v;
}

function numbers(s: string | undefined, what: string): number[] | undefined {
  const v = list(s, what)?.map(Number);
  if (v?.some((x) => !Number.isFinite(x))) throw new Error(`--${what}: expected numbers, got '${s}'`);
  return v;
}

/** Runs the study command on `argv` (the arguments after the script); returns the exit code. Errors are one line (AUNCE_DEBUG=1 adds the stack). */
export async function studyMain(argv: string[]): Promise<number> {
  try {
    // --report-only and --report_only alike: dashes in a flag's name (not in its value) become underscores.
    const args = argv.map((a) => a.replace(/^--([^=]+)/, (_m, name: string) => `--${name.replace(/-/g, "_")}`));
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        plan: { type: "boolean", default: false },
        report_only: { type: "boolean", default: false },
        folds: { type: "string" },
        noise: { type: "string" },
        arms: { type: "string" },
        workers: { type: "string" },
        device: { type: "string" },
        probe_steps: { type: "string", default: "8" },
        probe_warmup: { type: "string", default: "8" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (o.help || positionals.length !== 1) {
      (o.help ? console.log : console.error)(USAGE);
      return o.help ? 0 : 2;
    }
    const file = resolve(positionals[0]);
    const d = readDesign(file);
    // Where to compute changes no figure (a runtime key): --device cuda:0 runs the design on a GPU.
    if (o.device !== undefined) d.train = { ...d.train, device: o.device };
    const sel: RunSelection = { folds: numbers(o.folds, "folds"), noise: numbers(o.noise, "noise"), arms: list(o.arms, "arms") };
    const workers = o.workers === undefined ? undefined : Number(o.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new Error(`--workers: expected a whole number >= 0, got '${o.workers}'`);
    const runs = planRuns(d, sel);
    const p = studyPaths(d);
    const log = (l: string) => console.error(l);
    if (o.plan) {
      const steps = Number(o.probe_steps);
      if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`--probe_steps: expected a whole number >= 1, got '${o.probe_steps}'`);
      const warmupSteps = Number(o.probe_warmup);
      if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw new Error(`--probe_warmup: expected a whole number >= 0, got '${o.probe_warmup}'`);
      const probe = await timingProbe(d, { steps, warmupSteps, workers, log });
      const text = formatPlan(d, planTimes(d, runs, probe), probe);
      writeFileSync(join(p.out, "probe.json"), JSON.stringify(probe, null, 2) + "\n");
      writeFileSync(join(p.out, "plan.md"), text + "\n");
      console.log(text);
      return 0;
    }
    if (!o.report_only) {
      await prepareData(d, { log, workers });
      const stop = interruptSignal("study", "saving the current run's checkpoint and stopping");
      try {
        for (const [i, run] of runs.entries()) {
          if (stop.signal.aborted) break;
          const bar = new cliProgress.SingleBar({ format: `${run.name} {bar} {value}/{total} steps | loss {loss} | {eta_formatted} left`, stream: process.stderr, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 60000 }, cliProgress.Presets.shades_classic);
          let started = false;
          try {
            const rec = await executeRun(d, run, {
              workers, log: (l) => log(`[${i + 1}/${runs.length}] ${l}`), signal: stop.signal,
              events: {
                start: (s) => {
                  bar.start(s.totalSteps, s.step, { loss: "-" });
                  started = true;
                },
                step: (s) => bar.update(s.step, { loss: s.loss.toFixed(4) }),
              },
            });
            if (rec === null) return 130; // interrupted: the checkpoint is saved; rerunning resumes it
          } finally {
            if (started) bar.stop();
          }
        }
      } finally {
        stop.dispose();
      }
    }
    const r = await writeStudyReport(d, file);
    console.log(`report: ${p.doc} (section ${d.name}), plots in ${p.plots}; ${r.records.length} finished runs`);
    for (const c of r.claims) console.log(`- ${c.text}: ${c.verdict}${c.diff ? ` (${(100 * c.diff.value).toFixed(1)} [${(100 * c.diff.lo).toFixed(1)}, ${(100 * c.diff.hi).toFixed(1)}] points)` : ""}`);
    return 0;
  } catch (err) {
    console.error(`study: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.AUNCE_DEBUG) console.error(err);
    return 1;
  }
}
