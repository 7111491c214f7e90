// Replays the fuzz corpus (fuzz/corpus/<target>/: seeds plus every crashing input `npm run fuzz`
// found) through the same target functions, without Jazzer.js: each input must be parsed or
// refused with the parser's clean, named error (fuzz/clean.ts), so a fixed finding stays fixed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectClean } from "../../fuzz/clean.ts";
import { TARGETS } from "../../fuzz/targets/index.ts";
import { DataFormatError } from "../../src/data/issues.ts";
import { removeFuzzTemp } from "../../fuzz/tmp.ts";

const CORPUS = fileURLToPath(new URL("../../fuzz/corpus/", import.meta.url));

after(removeFuzzTemp);

test("every corpus folder is a fuzz target and every target has seeds", () => {
  const folders = readdirSync(CORPUS).sort();
  assert.deepEqual(folders, Object.keys(TARGETS).sort());
  for (const f of folders) assert.ok(readdirSync(join(CORPUS, f)).length > 0, `fuzz/corpus/${f} is empty`);
});

test("a target accepts only plain errors naming the input; anything else is a finding", () => {
  expectClean(new Error("x.pth: corrupt zip archive: nope"), "x.pth");
  expectClean(new DataFormatError("root/a.csv:3: bad row (--strict)", "root/a.csv", 3), "root");
  assert.throws(() => expectClean(new TypeError("x.pth: cannot read properties of undefined"), "x.pth"), TypeError);
  assert.throws(() => expectClean(new RangeError("Maximum call stack size exceeded"), "x.pth"), RangeError);
  assert.throws(() => expectClean(new Error("Invalid typed array length"), "x.pth"), /Invalid typed array length/);
  assert.throws(() => expectClean("a string", "x.pth"));
});

for (const [name, fuzz] of Object.entries(TARGETS)) {
  test(`fuzz corpus replay: ${name}`, async () => {
    for (const file of readdirSync(join(CORPUS, name)).sort()) {
      const data = readFileSync(join(CORPUS, name, file));
      await assert.doesNotReject(fuzz(data), `fuzz/corpus/${name}/${file}`);
    }
  });
}
