import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.ts";

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/checkpoint/${name}`, import.meta.url));

const cli = runCli;

test("inspect lists a .pth's tensors, totals and plain values", async (t) => {
  const r = await cli(t, "inspect", fx("nested.pth"));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /nested\.pth \(pth-zip, 20 tensors\)/);
  assert.match(r.out, /model\.bf16\s+bfloat16\s+\[4\]/);
  assert.match(r.out, /model\.transposed\s+float32\s+\[4, 3\]/);
  assert.match(r.out, /param\s+float32\s+\[2\]/);
  assert.match(r.out, /total: 119 parameters \(elements\), 476 B/);
  assert.match(r.out, /epoch: 3/);
});

test("inspect shows safetensors metadata; --json is machine-readable", async (t) => {
  const r = await cli(t, "inspect", fx("dtypes.safetensors"), "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.format, "safetensors");
  assert.equal(j.tensors.length, 19);
  assert.deepEqual(j.tensors[0], { name: "f32", dtype: "float32", shape: [2, 3] });
  assert.equal(j.metadata.note, "twin of dtypes.pth");
});

test("inspect: clear errors for a missing file, a refused pickle and a non-checkpoint", async (t) => {
  const missing = await cli(t, "inspect", "/nope/w.pth");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /\/nope\/w\.pth: no such file/);
  const evil = await cli(t, "inspect", fx("evil_system.pth"));
  assert.equal(evil.code, 1);
  assert.match(evil.err, /refused global 'posix\.system'/);
  const text = await cli(t, "inspect", fx("keylists.json"));
  assert.equal(text.code, 1);
  assert.match(text.err, /keylists\.json: unrecognised checkpoint format/);
});
