/** Runs the CLI in-process, capturing what it prints. */
import type { TestContext } from "node:test";
import { run } from "../../src/cli/main.ts";

/**
 * `out` and `err`: what console.log / console.error printed; `stderr`: what was written to
 * process.stderr directly (progress bars), kept apart so that bars never reach `err`.
 */
export async function runCli(t: TestContext, ...args: string[]): Promise<{ code: number; out: string; err: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  t.mock.method(console, "log", (...a: unknown[]) => out.push(a.join(" ")));
  t.mock.method(console, "error", (...a: unknown[]) => err.push(a.join(" ")));
  t.mock.method(process.stderr, "write", (chunk: unknown) => {
    raw.push(String(chunk));
    return true;
  });
  try {
    const code = await run(["node", "aunce", ...args]);
    return { code, out: out.join("\n"), err: err.join("\n"), stderr: raw.join("") };
  } finally {
    t.mock.restoreAll();
  }
}
