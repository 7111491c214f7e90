// Scopes release native memory deterministically.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endScope, keep, liveTensors, manualSeed, ones, randn, scopeDepth, startScope, tidy } from "../../src/tensor/index.ts";

describe("tidy", () => {
  it("disposes what fn created, except what it returns", () => {
    const before = liveTensors();
    const kept = tidy(() => {
      const a = ones([3]);
      const b = a.mul(2).add(1);
      return { result: b.sum(), list: [a.neg()] };
    });
    assert.equal(liveTensors(), before + 2);
    assert.equal(kept.result.item(), 9);
    kept.result.dispose();
    kept.list[0].dispose();
    assert.equal(liveTensors(), before);
  });

  it("nested scopes hand results outwards, and keep() opts out", () => {
    const before = liveTensors();
    let inner!: ReturnType<typeof ones>;
    let kept!: ReturnType<typeof ones>;
    tidy(() => {
      inner = tidy(() => ones([2]).add(1));
      kept = keep(ones([2]));
      assert.ok(!inner.isDisposed);
    });
    assert.ok(inner.isDisposed, "returned to the outer scope, which then ended");
    assert.ok(!kept.isDisposed);
    kept.dispose();
    assert.equal(liveTensors(), before);
  });

  it("releases on throw and rejects async functions", () => {
    manualSeed(0);
    const before = liveTensors();
    assert.throws(() => tidy(() => { randn([4]); throw new Error("boom"); }), /boom/);
    assert.throws(() => tidy(async () => ones([1])), /tidy: fn returned a Promise/);
    assert.equal(liveTensors(), before);
    assert.equal(scopeDepth(), 0);
  });

  it("manual scopes must close in order", () => {
    const s1 = startScope();
    const s2 = startScope();
    assert.throws(() => endScope(s1), /reverse order/);
    endScope(s2);
    endScope(s1);
    assert.equal(scopeDepth(), 0);
  });
});

describe("random state", () => {
  it("getRngState/setRngState replay the same draws; a bad state is an Error", async () => {
    const { getRngState, setRngState, rand } = await import("../../src/tensor/index.ts");
    manualSeed(7);
    const state = getRngState();
    const a = rand([5]);
    setRngState(state);
    const b = rand([5]);
    assert.deepEqual(Array.from(a.data() as Float32Array), Array.from(b.data() as Float32Array));
    const c = rand([5]);
    assert.notDeepEqual(Array.from(c.data() as Float32Array), Array.from(a.data() as Float32Array));
    assert.throws(() => setRngState(new Uint8Array(3)), /setRngState: /);
    for (const t of [a, b, c]) t.dispose();
  });

  it("withSeed draws from the given seed and restores the generator afterwards, also when fn throws", async () => {
    const { rand, withSeed } = await import("../../src/tensor/index.ts");
    const draw = () => tidy(() => Array.from(rand([4]).data() as Float32Array));
    manualSeed(3);
    const seeded = draw();
    manualSeed(11);
    const stream = [draw(), draw()];
    manualSeed(11);
    const first = draw();
    assert.deepEqual(withSeed(3, draw), seeded);
    assert.throws(() => withSeed(3, () => { draw(); throw new Error("boom"); }), /boom/);
    assert.deepEqual([first, draw()], stream, "the outer stream goes on as if withSeed had not run");
  });
});
