/** Runs the CLI in-process, capturing what it prints. */
import type { TestContext } from "node:test";
import { run } from "../../src/cli/main.ts";

export async function runCli(t: TestContext, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  t.mock.method(console, "log", (...a: unknown[]) => out.push(a.join(" ")));
  t.mock.method(console, "error", (...a: unknown[]) => err.push(a.join(" ")));
  const code = await run(["node", "aunce", ...args]);
  t.mock.restoreAll();
  return { code, out: out.join("\n"), err: err.join("\n") };
}
