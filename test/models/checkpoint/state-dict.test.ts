import { test } from "node:test";
import assert from "node:assert/strict";
import { findStateDict, flattenTree, stripPrefix, subStateDict } from "../../../src/models/checkpoint/state-dict.ts";
import type { RawStateDict, RawTensor } from "../../../src/models/checkpoint/raw.ts";

const t = (n: number): RawTensor => ({ dtype: "uint8", shape: [1], data: new Uint8Array([n]) });

test("findStateDict: root, nested wrappers, and a clear error when there is none", () => {
  const sd = new Map([["w", t(1)]]);
  assert.equal(findStateDict(sd).path, "");
  const wrapped = new Map<string, unknown>([["epoch", 3], ["model", new Map([["state_dict", sd]])]]);
  const hit = findStateDict(wrapped);
  assert.equal(hit.path, "model.state_dict");
  assert.equal(hit.stateDict.get("w"), sd.get("w"));
  assert.throws(() => findStateDict(new Map<string, unknown>([["epoch", 3], ["opt", new Map()]]), "x.pth"), /x\.pth: no state dict found .*root keys: epoch, opt/);
});

test("stripPrefix, subStateDict and their collisions", () => {
  const sd: RawStateDict = new Map([["module.backbone.a", t(1)], ["module.head.b", t(2)], ["c", t(3)]]);
  assert.deepEqual([...stripPrefix(sd).keys()], ["backbone.a", "head.b", "c"]);
  assert.deepEqual([...subStateDict(stripPrefix(sd), "backbone.").keys()], ["a"]);
  const clash: RawStateDict = new Map([["module.a", t(1)], ["a", t(2)]]);
  assert.throws(() => stripPrefix(clash), /stripping 'module\.' makes two tensors named 'a'/);
});

test("flattenTree names tensors and plain leaves by dotted path", () => {
  const root = new Map<string, unknown>([["m", new Map([["w", t(1)]])], ["l", [t(2), 5]], ["s", "x"]]);
  const { tensors, scalars } = flattenTree(root);
  assert.deepEqual([...tensors.keys()], ["m.w", "l.0"]);
  assert.deepEqual([...scalars], [["l.1", 5], ["s", "x"]]);
});
