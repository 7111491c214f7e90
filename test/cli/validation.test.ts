// Commands check their outputs and inputs before any work, with one-line errors: detect's -o and
// --overlay, prepare's empty label folder, evaluate's and linear-eval's paths and numbers.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.ts";

const photo = fileURLToPath(new URL("../fixtures/face/synth/F001_T1_203.jpg", import.meta.url));
const oneLine = (err: string) => assert.ok(!/\n\s+at /.test(err), `a stack trace was printed:\n${err}`);

describe("validation before work", () => {
  it("detect: -o in a missing folder, -o a folder and --overlay a file fail before anything is written", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "aunce-validate-"));
    try {
      const detect = (...args: string[]) => runCli(t, "detect", "--no-progress", "--untrained", "resnet_tiny", photo, ...args);
      const missing = await detect("-o", join(dir, "missing", "out.csv"));
      assert.equal(missing.code, 1);
      assert.match(missing.err, new RegExp(`aunce: -o .*out\\.csv: folder ${dir}/missing does not exist`));
      oneLine(missing.err);
      mkdirSync(join(dir, "folder"));
      const folder = await detect("-o", join(dir, "folder"));
      assert.equal(folder.code, 1);
      assert.match(folder.err, /aunce: -o .*folder is a folder; give a file name in it/);
      oneLine(folder.err);
      writeFileSync(join(dir, "a-file"), "x");
      const csv = join(dir, "out.csv");
      const overlay = await detect("-o", csv, "--overlay", join(dir, "a-file"));
      assert.equal(overlay.code, 1);
      assert.match(overlay.err, /aunce: --overlay .*a-file: cannot write there \(.*a-file is a file, not a folder\)/);
      assert.ok(!existsSync(csv), "the CSV was not written");
      process.exitCode = undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prepare: an empty AU_OCC folder is an error and writes nothing", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "aunce-validate-"));
    try {
      mkdirSync(join(dir, "raw", "AUCoding", "AU_OCC"), { recursive: true });
      const r = await runCli(t, "prepare", "bp4d", "--root", join(dir, "raw"), "--out", join(dir, "out"), "--quiet");
      assert.equal(r.code, 1);
      assert.match(r.err, /aunce: BP4D: no labelled frames to write: no label rows were found; check that --root holds the dataset's label files and images/);
      assert.ok(!existsSync(join(dir, "out")), "no output folder");
      writeFileSync(join(dir, "a-file"), "x");
      const bad = await runCli(t, "prepare", "bp4d", "--root", join(dir, "raw"), "--out", join(dir, "a-file", "out"), "--quiet");
      assert.match(bad.err, /--out .*a-file\/out: cannot write there \(.*a-file is a file, not a folder\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("synth: an --out inside a file is named before rendering", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "aunce-validate-"));
    try {
      writeFileSync(join(dir, "a-file"), "x");
      const r = await runCli(t, "synth", "--style", "bp4d", "--subjects", "1", "--sequences", "1", "--frames", "1", "--workers", "0", "--out", join(dir, "a-file", "x"));
      assert.equal(r.code, 1);
      assert.match(r.err, /aunce: --out .*a-file\/x: cannot write there \(.*a-file is a file, not a folder\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("linear-eval and evaluate: missing checkpoint, bad numbers and unwritable --out are named", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "aunce-validate-"));
    try {
      const ckpt = join(dir, "last.safetensors");
      const l = await runCli(t, "linear-eval", "--checkpoint", ckpt);
      assert.match(l.err, /--checkpoint .*last\.safetensors: file not found/);
      const e = await runCli(t, "evaluate", "--checkpoint", ckpt);
      assert.match(e.err, /--checkpoint .*last\.safetensors: file not found/);
      const n = await runCli(t, "linear-eval", "--checkpoint", ckpt, "--batch-size", "0");
      assert.match(n.err, /--batch_size: expected a whole number >= 1, got '0'/);
      writeFileSync(ckpt, "x");
      const o = await runCli(t, "linear-eval", "--checkpoint", ckpt, "--out", join(ckpt, "report"));
      assert.match(o.err, /--out .*: cannot write there \(.*last\.safetensors is a file, not a folder\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
