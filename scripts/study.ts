/**
 * A study (configs/studies/*.yaml) as one command: the data, every run (arm x training-label noise
 * x fold, each its own resumable run folder), and the report generated from the runs' files.
 *
 *   node --import tsx scripts/study.ts configs/studies/synthau-bp4d.yaml            # run (or resume) all, then report
 *   node --import tsx scripts/study.ts DESIGN --plan                                  # runs, status, estimated times (timing probe)
 *   node --import tsx scripts/study.ts DESIGN --folds 1 --noise 0,0.4 --arms a,b      # a subset (fine-tuning brings its encoder)
 *   node --import tsx scripts/study.ts DESIGN --report_only                           # rewrite the report from finished runs
 *   node --import tsx scripts/study.ts DESIGN --device cuda:0                         # on a GPU of a CUDA engine
 *
 * Rerunning skips finished runs and resumes an interrupted one from its checkpoint; Ctrl-C saves
 * and stops. Flags take underscores; the dash spelling works too.
 */
import { studyMain } from "./study/main.ts";

process.exitCode = await studyMain(process.argv.slice(2));
