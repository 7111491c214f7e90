// End to end: raw layouts parse back per spec §2, side files agree, determinism across worker counts.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import test from "node:test";
import sharp from "sharp";
import { generateSynthDataset, type SynthOptions } from "../../src/synth/generate.ts";
import { BP4D_AUS, DISFA_CODED_AUS } from "../../src/synth/labels.ts";
import { BP4D_PARTS, DISFA_PARTS, subjectNames } from "../../src/synth/naming.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const root = makeTempDir("synthau-test-");
let n = 0;
const gen = (o: Omit<SynthOptions, "out">) => generateSynthDataset({ out: join(root, `d${n++}`), ...o });

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  }).sort();
}
const csv = (path: string) => readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(","));

test("subjects come round-robin from the spec's parts", () => {
  assert.deepEqual(subjectNames("bp4d", 4).map((s) => s.name), ["F001", "M011", "F007", "M007"]);
  assert.deepEqual(subjectNames("disfa", 3).map((s) => s.part), [1, 2, 3]);
  assert.equal(subjectNames("bp4d", 41).length, 41);
  assert.equal(new Set(subjectNames("bp4d", 41).map((s) => s.name)).size, 41);
  assert.deepEqual(new Set(subjectNames("disfa", 27).map((s) => s.name)), new Set(DISFA_PARTS.flat()));
  assert.throws(() => subjectNames("disfa", 28), /subjects: expected an integer in 1..27 for style disfa, got 28/);
  assert.ok(BP4D_PARTS.flat().includes("M018"));
});

test("BP4D-style tree: AU_OCC csv per subject and task, jpg crops per frame, side files", async () => {
  const r = await gen({ style: "bp4d", subjects: 3, sequences: 2, frames: 4, seed: 5, workers: 0, size: 64, notCodedRate: 0.2 });
  assert.equal(r.images, 24);
  const occ = readdirSync(join(r.out, "AUCoding", "AU_OCC")).sort();
  assert.deepEqual(occ, ["F001_T1.csv", "F001_T2.csv", "F007_T1.csv", "F007_T2.csv", "M011_T1.csv", "M011_T2.csv"]);
  let nines = 0;
  for (const f of occ) {
    const [header, ...rows] = csv(join(r.out, "AUCoding", "AU_OCC", f));
    assert.equal(header[0], "0", "first column is the frame number, headed 0");
    for (const au of BP4D_AUS) assert.ok(header.includes(String(au)), `${f}: column AU${au}`);
    assert.equal(rows.length, 4);
    const [subj, task] = f.replace(".csv", "").split("_");
    const gt = csv(join(r.out, "synth", "labels", f));
    for (const [i, row] of rows.entries()) {
      assert.equal(row.length, header.length);
      assert.ok(row.slice(1).every((v) => v === "0" || v === "1" || v === "9"), `${f}: values 0/1/9`);
      nines += row.filter((v, j) => j > 0 && v === "9").length;
      const img = join(r.out, "img", subj, task, `${row[0]}.jpg`);
      assert.ok(existsSync(img), `image for frame ${row[0]}`);
      // The written label equals the side file's noisy column; with no flip/miss noise it is the clean label or 9.
      const g = gt[0].indexOf("AU12_noisy"), c = gt[0].indexOf("AU12_clean");
      assert.equal(row[header.indexOf("12")], gt[i + 1][g]);
      assert.ok(row[header.indexOf("12")] === "9" || gt[i + 1][g] === gt[i + 1][c]);
      assert.equal(gt[i + 1][0], relative(r.out, img));
    }
    const lm = csv(join(r.out, "synth", "landmarks", f));
    assert.equal(lm[0].length, 2 + 136);
    assert.ok(lm.slice(1).every((row) => row.slice(2).every((v) => Number(v) > -64 && Number(v) < 128)));
  }
  assert.ok(nines > 0, "some cells are written as 9 (not coded)");
  const meta = await sharp(join(r.out, "img", "F001", "T1", `${csv(join(r.out, "AUCoding", "AU_OCC", "F001_T1.csv"))[1][0]}.jpg`)).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", 64, 64]);
  const manifest = JSON.parse(readFileSync(r.manifestPath, "utf8"));
  assert.equal(manifest.seed, 5);
  assert.equal(manifest.labelOptions.notCodedRate, 0.2);
});

test("DISFA-style tree: one txt per coded AU, frames from 1, png images from 0", async () => {
  const r = await gen({ style: "disfa", subjects: 2, sequences: 2, frames: 3, seed: 6, workers: 0, size: 64 });
  assert.deepEqual(readdirSync(join(r.out, "ActionUnit_Labels")).sort(), ["SN002", "SN013"]);
  for (const sn of ["SN002", "SN013"]) {
    const files = readdirSync(join(r.out, "ActionUnit_Labels", sn)).sort();
    assert.deepEqual(files, DISFA_CODED_AUS.map((au) => `${sn}_au${au}.txt`).sort());
    const gt = csv(join(r.out, "synth", "labels", `${sn}.csv`));
    for (const au of DISFA_CODED_AUS) {
      const lines = csv(join(r.out, "ActionUnit_Labels", sn, `${sn}_au${au}.txt`));
      assert.equal(lines.length, 6);
      lines.forEach(([frame, inten], i) => {
        assert.equal(Number(frame), i + 1);
        assert.ok(Number.isInteger(Number(inten)) && Number(inten) >= 0 && Number(inten) <= 5);
        // DISFA rule: present when intensity >= 2, and it agrees with the clean ground truth.
        assert.equal(Number(inten) >= 2 ? "1" : "0", gt[i + 1][gt[0].indexOf(`AU${au}_clean`)]);
      });
    }
    for (let i = 0; i < 6; i++) assert.ok(existsSync(join(r.out, "img", sn, `${i}.png`)));
    assert.ok(!existsSync(join(r.out, "img", sn, "6.png")));
  }
});

test("same seed, identical bytes for any worker count; another seed differs; non-empty out refused", async () => {
  const o = { style: "bp4d" as const, subjects: 2, sequences: 1, frames: 3, seed: 11, size: 96, flipRate: 0.1 };
  const a = await gen({ ...o, workers: 0 });
  const b = await gen({ ...o, workers: 2 });
  const fa = listFiles(a.out).map((p) => relative(a.out, p));
  assert.deepEqual(fa, listFiles(b.out).map((p) => relative(b.out, p)));
  for (const f of fa) assert.ok(readFileSync(join(a.out, f)).equals(readFileSync(join(b.out, f))), `${f} identical`);
  const c = await gen({ ...o, seed: 12, workers: 0 });
  const f1 = "AUCoding/AU_OCC/F001_T1.csv";
  assert.ok(!readFileSync(join(a.out, f1)).equals(readFileSync(join(c.out, f1))), "labels differ for another seed");
  await assert.rejects(generateSynthDataset({ ...o, out: a.out, workers: 0 }), /is not empty; choose an empty folder or pass force/);
  await assert.rejects(gen({ ...o, subjects: 0 }), /subjects: expected an integer in 1..41/);
  await assert.rejects(gen({ ...o, sequences: 9 }), /sequences: expected an integer in 1..8/);
});
