// `aunce synth`: argument parsing and a small run through the CLI entry.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { parseBaseRates } from "../../src/cli/commands/synth.ts";
import { run } from "../../src/cli/main.ts";
import { makeTempDir } from "../helpers/tmp.ts";

test("--base-rates parses au:rate lists and names bad entries", () => {
  assert.deepEqual(parseBaseRates("12:0.5, AU6:0.4"), { 12: 0.5, 6: 0.4 });
  assert.throws(() => parseBaseRates("12=0.5"), /got "12=0.5"/);
  assert.throws(() => parseBaseRates("12:1.5"), /rates in \[0, 1\], got "12:1.5"/);
});

test("aunce synth writes a DISFA-style tree with the requested options", async () => {
  const out = join(makeTempDir("synth-cli-"), "d");
  try {
    const code = await run(["node", "aunce", "synth", "--style", "disfa", "--subjects", "1", "--sequences", "1", "--frames", "2", "--out", out,
      "--seed", "4", "--workers", "0", "--size", "48", "--label-noise", "0.05", "--base-rates", "12:0.3"]);
    assert.equal(code, 0);
    assert.ok(existsSync(join(out, "ActionUnit_Labels", "SN002", "SN002_au12.txt")));
    const m = JSON.parse(readFileSync(join(out, "synth.json"), "utf8"));
    assert.equal(m.labelOptions.flipRate, 0.05);
    assert.equal(m.labelOptions.rates[12], 0.3);
    assert.equal(m.size, 48);
  } finally {
    rmSync(join(out, ".."), { recursive: true, force: true });
  }
});
