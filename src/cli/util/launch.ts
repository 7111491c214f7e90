/**
 * The local launcher of a data-parallel run, as torchrun's: starts one worker process per local
 * rank with RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, forwards Ctrl-C to
 * them (each stops after the same step and rank 0 saves), and when one worker fails stops the
 * others: they see the failure in their next collective (at once for a dead peer, after the
 * collective timeout for a hung one) and any still running after that are killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

export interface LaunchOptions {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  backend?: "gloo" | "nccl";
  /** Rendezvous and collective timeout, seconds. */
  timeoutSec: number;
  /** The worker's CLI arguments (after `aunce`). */
  args: string[];
  /** Added to every worker's environment. */
  env?: NodeJS.ProcessEnv;
}

/** Checks the launcher flags; throws with the flag's name. */
export function checkLaunch(o: LaunchOptions): void {
  const int = (v: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} ${v}: expected an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? "" : max}`);
  };
  int(o.nprocPerNode, "nproc_per_node", 1);
  int(o.nnodes, "nnodes", 1);
  int(o.nodeRank, "node_rank", 0, o.nnodes - 1);
  int(o.masterPort, "master_port", 1, 65535);
  if (!(o.timeoutSec > 0)) throw new Error(`--dist_timeout ${o.timeoutSec}: expected a positive number of seconds`);
  if (!o.masterAddr) throw new Error("--master_addr: expected a host name or address");
}

/** node's arguments a worker needs to run the same code (a TypeScript checkout runs through tsx). */
function nodeArgs(entry: string): string[] {
  const keep: string[] = [];
  const a = process.execArgv;
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === "--import" || a[i] === "--loader" || a[i] === "--conditions") && i + 1 < a.length) keep.push(a[i], a[++i]);
    else if (/^--(import|loader|conditions)=/.test(a[i])) keep.push(a[i]);
  }
  if (extname(entry) === ".ts" && !keep.some((x) => x.includes("tsx"))) keep.push("--import", "tsx");
  return keep;
}

/** " (stopped by a signal)" when `pid` is in the stopped state (Linux /proc), else "". */
function stoppedNote(pid: number | undefined): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^\d+ \(.*\) [Tt] /s.test(stat) ? " (stopped by a signal)" : "";
  } catch {
    return "";
  }
}

/** Starts the workers of this node and resolves to the launcher's exit code once all have exited. */
export async function launchWorkers(o: LaunchOptions): Promise<number> {
  checkLaunch(o);
  const here = fileURLToPath(import.meta.url);
  const entry = fileURLToPath(new URL(`../dist-worker${extname(here)}`, import.meta.url));
  const world = o.nnodes * o.nprocPerNode;
  // As torchrun's OMP_NUM_THREADS: the cores shared out, unless the user chose.
  const threads = String(Math.max(1, Math.floor(availableParallelism() / o.nprocPerNode)));
  const children: { rank: number; proc: ChildProcess; code: number | null; signal: NodeJS.Signals | null; done: Promise<void> }[] = [];
  for (let local = 0; local < o.nprocPerNode; local++) {
    const rank = o.nodeRank * o.nprocPerNode + local;
    const env: NodeJS.ProcessEnv = {
      ...process.env, ...o.env, RANK: String(rank), LOCAL_RANK: String(local), WORLD_SIZE: String(world), LOCAL_WORLD_SIZE: String(o.nprocPerNode),
      MASTER_ADDR: o.masterAddr, MASTER_PORT: String(o.masterPort), AUNCE_DIST_TIMEOUT: String(o.timeoutSec),
      ...(o.backend ? { AUNCE_DIST_BACKEND: o.backend } : {}),
      AUNCE_NUM_THREADS: process.env.AUNCE_NUM_THREADS ?? threads,
      // c10d logs every failed socket read as a warning with a C++ backtrace; the worker's own
      // error says what failed.
      TORCH_CPP_LOG_LEVEL: process.env.TORCH_CPP_LOG_LEVEL ?? "ERROR",
    };
    // Own process group: a terminal's Ctrl-C reaches the launcher only, which forwards it once.
    const proc = spawn(process.execPath, [...nodeArgs(entry), entry, ...o.args], { env, stdio: "inherit", detached: true });
    const c = { rank, proc, code: null as number | null, signal: null as NodeJS.Signals | null, done: Promise.resolve() };
    c.done = new Promise<void>((res) => {
      proc.on("exit", (code, signal) => {
        c.code = code;
        c.signal = signal;
        res();
      });
      proc.on("error", (err) => {
        console.error(`aunce train: could not start worker rank ${rank}: ${err.message}`);
        c.code = 1;
        res();
      });
    });
    children.push(c);
  }
  const running = () => children.filter((c) => c.code === null && c.signal === null);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      for (const c of running()) c.proc.kill("SIGKILL");
      return;
    }
    interrupted = true;
    console.error(`aunce train: interrupted — the ${running().length} worker(s) save a checkpoint and stop (Ctrl-C again to kill them)`);
    for (const c of running()) c.proc.kill("SIGINT");
  };
  process.on("SIGINT", onSigint);
  let killTimer: NodeJS.Timeout | undefined;
  let failed: string | null = null;
  const hung: number[] = [];
  try {
    await new Promise<void>((resolveAll) => {
      let left = children.length;
      for (const c of children) {
        void c.done.then(() => {
          left--;
          const ok = c.code === 0 || (interrupted && c.code === 130);
          if (!ok && failed === null) {
            failed = `worker rank ${c.rank} (pid ${c.proc.pid}) ${c.signal ? `was killed by ${c.signal}` : `exited with code ${c.code}`}`;
            if (running().length > 0) {
              console.error(`aunce train: ${failed}; the other workers stop at their next collective (within --dist_timeout ${o.timeoutSec} s)`);
              // Workers still there after their own timeout (and a grace of up to 15 s to exit)
              // are hung: kill them (SIGKILL ends a stopped process too).
              killTimer = setTimeout(() => {
                for (const r of running()) {
                  console.error(`aunce train: worker rank ${r.rank} (pid ${r.proc.pid}) did not stop${stoppedNote(r.proc.pid)}; killing it`);
                  hung.push(r.rank);
                  r.proc.kill("SIGKILL");
                }
              }, (o.timeoutSec + Math.min(15, o.timeoutSec)) * 1000);
            }
          }
          if (left === 0) resolveAll();
        });
      }
    });
  } finally {
    process.off("SIGINT", onSigint);
    if (killTimer) clearTimeout(killTimer);
  }
  if (failed !== null) {
    const also = hung.length ? `; worker rank(s) ${hung.join(", ")} hung and were killed` : "";
    console.error(`aunce train: the run failed: ${failed}${also}. The last checkpoint (if any) is intact; continue with --resume and the same --nproc_per_node.`);
    return 1;
  }
  return interrupted ? 130 : 0;
}
