// Paths recorded in a training run's config, for the scripts that read finished runs.
import { isAbsolute, join, resolve } from "node:path";

/**
 * A path from a run's config: absolute, or relative to the folder the run was started in (found
 * from the run folder's own path, which ends in <out_dir>/<exp_name>).
 */
export function fromRun(runDir: string, cfg: Record<string, unknown>, p: string): string {
  if (isAbsolute(p)) return p;
  const tail = join(String(cfg.out_dir ?? ""), String(cfg.exp_name ?? ""));
  const abs = resolve(runDir);
  const base = abs.endsWith(tail) ? abs.slice(0, abs.length - tail.length) : process.cwd();
  return join(base, p);
}
