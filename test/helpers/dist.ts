/** Helpers for tests of data-parallel code: free loopback ports and worker processes. */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  ms: number;
}

/** Runs a TypeScript file (through tsx) with `args` and extra env; resolves when it exits (killed after `limitMs`). */
export function runTs(file: string, args: string[], env: NodeJS.ProcessEnv = {}, limitMs = 120_000): { pid: number; done: Promise<ProcResult> } {
  const t0 = performance.now();
  const p = spawn(process.execPath, ["--import", "tsx", file, ...args], { env: { ...process.env, AUNCE_NUM_THREADS: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => p.kill("SIGKILL"), limitMs);
  const done = new Promise<ProcResult>((resolve) => {
    p.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, out, err, ms: performance.now() - t0 }));
    });
  });
  return { pid: p.pid!, done };
}

/** The CLI's data-parallel worker entry (runs `aunce <args>`). */
export const CLI_ENTRY = fileURLToPath(new URL("../../src/cli/dist-worker.ts", import.meta.url));
