import { test } from "node:test";
import assert from "node:assert/strict";
import { PickleCallable, isTuple, unpickle, type UnpicklePolicy } from "../../../src/models/checkpoint/pickle.ts";
import { torchPolicy } from "../../../src/models/checkpoint/torch-pickle.ts";
import { gatherStrided } from "../../../src/models/checkpoint/strided.ts";

const noGlobals: UnpicklePolicy = {
  findGlobal: (m, n) => {
    throw new Error(`refused ${m}.${n}`);
  },
  persistentLoad: () => {
    throw new Error("no pids");
  },
};
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p, "latin1")] : p)));
const load = (b: Uint8Array, policy = noGlobals) => unpickle(b, policy, "t.pkl").value;

test("protocol 0 text opcodes: ints, bools, longs, floats, strings, lists, dicts, memo", () => {
  // A protocol-0 list; then a dict whose key is stored in and fetched from the memo (p1 / g1).
  const v = load(bytes("(lp0\nI1\naI01\naL12345678901234567890L\naF0.5\naS'hi'\naI00\na."));
  assert.deepEqual(v, [1, true, 12345678901234567890n, 0.5, "hi", false]);
  const d = load(bytes("(dp0\nS'a'\np1\nI3\nsg1\nI4\ns.")) as Map<string, number>;
  assert.deepEqual([...d], [["a", 4]]);
});

test("binary opcodes: tuples, negative and long ints, big-endian floats, bytes, sets", () => {
  // \x80\x02 ( K\x01 J\xff\xff\xff\xff \x8a\x02\x00\x80 G<1.5> C\x02ab \x8f ... t .
  const v = load(
    bytes([0x80, 0x02, 0x28, 0x4b, 1, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x8a, 2, 0x00, 0x80, 0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x43, 2], "ab", [0x74, 0x2e]),
  ) as unknown[];
  assert.ok(isTuple(v));
  assert.deepEqual([...v], [1, -1, -32768, 1.5, new Uint8Array([0x61, 0x62])]);
  const s = load(bytes([0x80, 0x04, 0x8f, 0x28, 0x4b, 1, 0x4b, 2, 0x90, 0x2e])) as Set<number>;
  assert.deepEqual([...s], [1, 2]);
});

test("globals go through the policy; REDUCE calls only allowed stand-ins", () => {
  const policy: UnpicklePolicy = {
    findGlobal: (m, n) => (m === "ok" ? new PickleCallable(`${m}.${n}`, (a) => `called ${n}(${a.join(",")})`) : noGlobals.findGlobal(m, n)),
    persistentLoad: noGlobals.persistentLoad,
  };
  assert.equal(load(bytes("cok\nf\n(K", [7], "tR."), policy), "called f(7)");
  assert.throws(() => load(bytes("cos\nsystem\n(S'x'\ntR."), policy), /refused os\.system/);
  // REDUCE on something that is not a stand-in (a plain string) is refused.
  assert.throws(() => load(bytes("S'x'\n(tR."), policy), /not an allowed callable/);
});

test("object-building opcodes are refused, naming the class where there is one", () => {
  const torch = torchPolicy("t.pkl", () => {
    throw new Error("no storages");
  });
  assert.throws(() => load(bytes("(ios\nsystem\nS'x'\n."), torch), /refused global 'os\.system'/);
  // Python 2 aliases are looked up as own names only (not "constructor" from Object.prototype).
  assert.throws(() => load(bytes("c__builtin__\neval\n."), torch), /refused global '__builtin__\.eval' \(Python 3: 'builtins\.eval'\)/);
  assert.throws(() => load(bytes("cconstructor\nx\n."), torch), /^Error: refused global 'constructor\.x' in t\.pkl: only/);
  // NEWOBJ on an allowed class: still refused.
  assert.throws(() => load(bytes("\x80\x02ccollections\nOrderedDict\n)\x81."), torch), /opcode NEWOBJ at byte \d+ is not allowed/);
  assert.throws(() => load(bytes("\x80\x02\x82\x01."), torch), /opcode EXT1/);
  // BUILD on a non-dict is refused.
  assert.throws(() => load(bytes("]}b."), torch), /BUILD .* only allowed on dicts/);
  // Persistent ids other than storages are refused.
  assert.throws(() => load(bytes("(S'module'\ntQ."), torch), /unsupported persistent id tuple 'module'/);
  // Unsupported storage dtypes get their own message.
  assert.throws(() => load(bytes("ctorch\nComplexFloatStorage\n."), torch), /unsupported storage type 'torch\.ComplexFloatStorage'/);
});

test("truncated and malformed pickles fail cleanly", () => {
  assert.throws(() => load(bytes([0x80, 0x02, 0x58, 10, 0, 0, 0, 0x61])), /truncated pickle/);
  assert.throws(() => load(bytes("h", [5], ".")), /memo key 5 missing/);
  assert.throws(() => load(bytes("t.")), /MARK expected/);
  assert.throws(() => load(bytes([0xff])), /unknown pickle opcode 0xff/);
});

test("gatherStrided: contiguous views are zero-copy, out-of-range views are refused", () => {
  const storage = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const view = gatherStrided(storage, 1, 2, [2, 2], [2, 1], "v");
  assert.equal(view.buffer, storage.buffer);
  assert.deepEqual([...view], [2, 3, 4, 5]);
  assert.deepEqual([...gatherStrided(storage, 2, 0, [2, 2], [1, 2], "v")], [0, 1, 4, 5, 2, 3, 6, 7]);
  assert.throws(() => gatherStrided(storage, 1, 4, [2, 3], [3, 1], "w"), /w: view \(offset 4, size \[2, 3\], stride \[3, 1\]\) reaches elements 4\.\.9 of a storage of 8/);
});
