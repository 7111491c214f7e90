import { test } from "node:test";
import assert from "node:assert/strict";
import { compareStateDict, type TensorSpec } from "../../../src/models/checkpoint/compare.ts";
import { applyKeyMap } from "../../../src/models/checkpoint/keymaps/keymap.ts";
import { RESNET_DROP_CLASSIFIER, TIMM_RESNET_TO_TORCHVISION } from "../../../src/models/checkpoint/keymaps/resnet.ts";
import {
  OFFICIAL_SWIN_TO_TIMM,
  inferSwinGeometry,
  swinDerivedBuffers,
  timmSwinToOfficial,
  type SwinGeometry,
} from "../../../src/models/checkpoint/keymaps/swin.ts";
import { rawEqual, type RawStateDict } from "../../../src/models/checkpoint/raw.ts";
import { readSafetensors } from "../../../src/models/checkpoint/safetensors.ts";
import { fixture, keylists, zerosFrom, type KeySpec } from "./helpers.ts";

const specs = (list: KeySpec[]) => new Map<string, TensorSpec>(list.map((k) => [k.name, { dtype: k.dtype, shape: k.shape }]));
const describe = (sd: RawStateDict) => [...sd].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));

for (const name of ["resnet18", "resnet50"]) {
  test(`${name}: timm naming maps onto torchvision's recorded keys; the classifier can be dropped`, () => {
    const list = keylists.lists[`torchvision_${name}`];
    assert.ok(list.some((k) => k.name === "layer1.0.conv1.weight") && list.some((k) => k.name === "fc.weight"));
    const mapped = applyKeyMap(zerosFrom(list), TIMM_RESNET_TO_TORCHVISION);
    assert.deepEqual(describe(mapped), list);
    compareStateDict(specs(list), mapped, { strict: true, checkDtype: true });
    const backbone = applyKeyMap(mapped, RESNET_DROP_CLASSIFIER);
    assert.deepEqual([...backbone.keys()], list.map((k) => k.name).filter((k) => !k.startsWith("fc.")));
  });
}

const geometry = (variant: string): SwinGeometry => {
  const c = keylists.config[variant];
  return { imgSize: c.img ?? 224, patchSize: 4, windowSize: c.ws ?? 7, depths: c.depths };
};

for (const variant of ["swin_t", "swin_b", "swin_tiny_test"]) {
  test(`${variant}: timm -> official equals the recorded official list (keys, order, dtypes, shapes)`, () => {
    const official = keylists.lists[`official_${variant}`];
    const timm = keylists.lists[`timm_${variant}`];
    const timmSd = zerosFrom(timm);
    assert.deepEqual(inferSwinGeometry(timmSd, geometry(variant).imgSize), geometry(variant));
    const mapped = timmSwinToOfficial(timmSd, geometry(variant));
    assert.deepEqual(describe(mapped), official);
    // Official -> timm is the inverse (buffers dropped).
    assert.deepEqual(describe(applyKeyMap(zerosFrom(official), OFFICIAL_SWIN_TO_TIMM)), timm);
  });
}

test("official Swin names expected by the spec are present (e.g. layers.2.blocks.1.attn.relative_position_bias_table)", () => {
  const names = new Set(keylists.lists.official_swin_t.map((k) => k.name));
  for (const k of ["layers.2.blocks.1.attn.relative_position_bias_table", "patch_embed.proj.weight", "layers.0.downsample.reduction.weight", "norm.weight", "head.weight"]) {
    assert.ok(names.has(k), k);
  }
  const timm = new Set(keylists.lists.timm_swin_t.map((k) => k.name));
  assert.ok(timm.has("layers.1.downsample.reduction.weight") && timm.has("head.fc.weight") && !timm.has("layers.0.downsample.reduction.weight"));
});

test("derived Swin buffers equal the official release's values bit for bit (index and shifted-window mask)", async () => {
  const want = (await readSafetensors(fixture("swin_tiny_test_buffers.safetensors"))).tensors;
  const got = swinDerivedBuffers(geometry("swin_tiny_test"));
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, t] of want) assert.ok(rawEqual(got.get(k)!, t), k);
});

test("compareStateDict: strict throws listing names; non-strict reports; allow lists and dtype checks", () => {
  const expected = new Map<string, TensorSpec>([
    ["a.weight", { dtype: "float32", shape: [2, 3] }],
    ["a.bias", { dtype: "float32", shape: [2] }],
    ["bn.num_batches_tracked", { dtype: "int64", shape: [] }],
    ["attn.relative_position_index", { dtype: "int64", shape: [4, 4] }],
  ]);
  const sd: RawStateDict = new Map([
    ["a.weight", { dtype: "float32", shape: [3, 2], data: new Uint8Array(24) }],
    ["a.bias", { dtype: "float16", shape: [2], data: new Uint8Array(4) }],
    ["head.weight", { dtype: "float32", shape: [1], data: new Uint8Array(4) }],
  ]);
  assert.throws(
    () => compareStateDict(expected, sd, { source: "w.pth" }),
    (e: Error) => {
      assert.match(e.message, /^w\.pth does not match the model:/);
      assert.match(e.message, /missing keys \(2\): bn\.num_batches_tracked, attn\.relative_position_index/);
      assert.match(e.message, /unexpected keys \(1\): head\.weight/);
      assert.match(e.message, /shape mismatches \(1\): a\.weight expected \[2, 3\] got \[3, 2\]/);
      return true;
    },
  );
  const report = compareStateDict(expected, sd, { strict: false, checkDtype: true });
  assert.deepEqual(report.missing, ["bn.num_batches_tracked", "attn.relative_position_index"]);
  assert.deepEqual(report.unexpected, ["head.weight"]);
  assert.deepEqual(report.shapeMismatches, [{ name: "a.weight", expected: [2, 3], got: [3, 2] }]);
  assert.deepEqual(report.dtypeMismatches, [{ name: "a.bias", expected: "float32", got: "float16" }]);
  const relaxed = compareStateDict(expected, sd, { strict: false, allowMissing: [/relative_position_index$/], allowUnexpected: [/^head\./] });
  assert.deepEqual(relaxed.missing, ["bn.num_batches_tracked"]);
  assert.deepEqual(relaxed.unexpected, []);
  assert.deepEqual(relaxed.dtypeMismatches, []);
});
