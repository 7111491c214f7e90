import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, mock } from "node:test";
import { run } from "../../src/cli/main.ts";
import { bp4dRow, tempDir, writeBp4dTree } from "../data/helpers/raw-trees.ts";

describe("aunce prepare", () => {
  it("writes lists and a summary, skips-and-reports by default, fails with --strict", async () => {
    const root = await writeBp4dTree(tempDir(), [
      { subject: "F001", task: "T1", rows: [bp4dRow(1, { 1: 1 }), bp4dRow(2, { 2: "?" })] },
      { subject: "F007", task: "T1", rows: [bp4dRow(1)] },
    ]);
    const out = tempDir();
    const logs: string[] = [];
    const log = mock.method(console, "log", (...a: unknown[]) => void logs.push(a.join(" ")));
    const err = mock.method(console, "error", (...a: unknown[]) => void logs.push(a.join(" ")));
    try {
      assert.equal(await run(["node", "aunce", "prepare", "bp4d", "--root", root, "--out", out, "--quiet"]), 0);
      const text = logs.join("\n");
      assert.match(text, /fold 1: train 1 \(full dataset: 100813\), test 1/);
      assert.match(text, /non-numeric: 1 issue\(s\), 1 frame\(s\)/);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
      assert.equal(summary.skipped.byReason["non-numeric"].frames, 1);
      assert.ok(existsSync(join(out, "list", "BP4D_train_label_fold1.txt")));

      logs.length = 0;
      assert.equal(await run(["node", "aunce", "prepare", "bp4d", "--root", root, "--out", tempDir(), "--quiet", "--strict"]), 1);
      assert.match(logs.join("\n"), /F001_T1\.csv:3: AU2 cell "\?" is not a number/);
    } finally {
      log.mock.restore();
      err.mock.restore();
    }
  });
});
