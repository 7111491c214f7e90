/**
 * The one owner of the tests' temporary folders. `makeTempDir(prefix)` makes a fresh folder under
 * the OS temp directory and registers it; every registered folder is removed when the test file's
 * tests are over (an `after` hook on the file's root test, so it also runs when a test fails) and,
 * as a backstop, when the process exits. Tests never call mkdtemp/tmpdir themselves:
 * `scripts/test.mjs` fails the run if anything is left in the temp directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

const owned = new Set<string>();

function removeAll(): void {
  for (const dir of owned) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    owned.delete(dir);
  }
}

// Registered when the helper is first imported, i.e. while the test file loads: the hook belongs
// to the file's root test and runs after all of its tests and suites.
after(removeAll);
process.once("exit", removeAll);

/** A fresh, empty folder `<tmpdir>/<prefix>XXXXXX`, removed with everything in it after the file's tests. */
export function makeTempDir(prefix = "aunce-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  owned.add(dir);
  return dir;
}
