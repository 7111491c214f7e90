/**
 * One rank of the collectives test (test/tensor/distributed.test.ts): joins a group and prints the
 * results of every collective as one JSON line. Args: rank worldSize port [timeoutMs [join]]; with
 * "join" it only joins the group and prints {"joined": true}.
 */
import { fromArray, ProcessGroup, type Tensor } from "../../src/tensor/index.ts";

const [rank, worldSize, port, timeoutMs] = process.argv.slice(2, 6).map(Number);
const pg = ProcessGroup.init({ rank, worldSize, masterPort: port, timeoutMs: timeoutMs || 20_000 });
if (process.argv[6] === "join") {
  console.log(JSON.stringify({ joined: true }));
  process.exit(0);
}
const vals = (t: Tensor) => Array.from(t.data() as ArrayLike<number>);
const r = rank + 1;
const res: Record<string, number[] | number[][]> = {};

const sum = fromArray(Float32Array.of(r, 10 * r), [2]);
pg.allReduce([sum], "sum");
res.sum = vals(sum);
const avg = fromArray(Float64Array.of(r, 10 * r), [2]);
pg.allReduce([avg], "avg");
res.avg = vals(avg);
const max = fromArray(Float32Array.of(r, -r), [2]);
pg.allReduce([max], "max");
res.max = vals(max);
// A bucket of two tensors of different shapes, one non-contiguous (a transpose).
const a = fromArray(Float32Array.of(r, 2 * r, 3 * r, 4 * r), [2, 2]).transpose(0, 1);
const b = fromArray(Float32Array.of(100 * r), [1]);
pg.allReduce([a, b], "sum");
res.bucketA = vals(a.contiguous());
res.bucketB = vals(b);
const bc = fromArray(Int32Array.of(7 * r, 8 * r), [2]);
pg.broadcast([bc], worldSize - 1);
res.broadcast = vals(bc);
res.gather = pg.allGather(fromArray(Float32Array.of(r, r + 1), [1, 2])).map(vals);

// Differentiable all-gather: L = sum(gathered * w) on every rank, w[i] = i + 1 per row.
const x = fromArray(Float32Array.of(r, r + 1), [1, 2]).requiresGrad_();
const g = pg.allGatherWithGrad(x);
const w = fromArray(Float32Array.from({ length: 2 * worldSize }, (_, i) => Math.floor(i / 2) + 1), [worldSize, 2]);
res.gatherGradValue = vals(g);
g.mul(w).sum().backward();
res.gatherGrad = vals(x.grad!);

// Differentiable all-reduce: L_r = (rank + 1) * sum_over_ranks(y).
const y = fromArray(Float32Array.of(2 * r), [1]).requiresGrad_();
const s = pg.allReduceWithGrad(y);
res.reduceGradValue = vals(s);
s.mul(r).sum().backward();
res.reduceGrad = vals(y.grad!);

// The gradient reducer: buckets [w3, w2] and [w1]; L = sum(w1 * r) + sum(w2 * 2r) (+ sum(w3 * 3r)).
const w1 = fromArray(Float32Array.of(0.5, -1), [2]).requiresGrad_();
const w2 = fromArray(Float32Array.of(1, 2, 3), [3]).requiresGrad_();
const w3 = fromArray(Float32Array.of(4), [1]).requiresGrad_();
const frozen = fromArray(Float32Array.of(9, 9), [2]); // no gradient ever: reduced as zeros
const red = pg.gradReducer([[w3, w2], [w1, frozen]]);
const loss = (useW3: boolean) => {
  let l = w1.mul(r).sum().add(w2.mul(2 * r).sum());
  if (useW3) l = l.add(w3.mul(3 * r).sum());
  return l;
};
const clear = () => [w1, w2, w3].forEach((w) => (w.grad = null));
// Every gradient on both ranks: each bucket goes out during backward.
red.prepare();
loss(true).backward();
const s1 = red.finalize();
res.reducer1 = [...vals(w1.grad!), ...vals(w2.grad!), ...vals(w3.grad!), ...vals(frozen.grad!)];
res.reducer1Overlapped = [s1.overlapped];
// w3 unused on rank 1: its bucket waits for finalize there, which reduces zeros in its place.
clear();
red.prepare();
loss(rank === 0).backward();
const s2 = red.finalize();
res.reducer2 = [...vals(w1.grad!), ...vals(w2.grad!), ...vals(w3.grad!)];
res.reducer2Overlapped = [s2.overlapped];
// A backward without prepare() is not reduced: the local gradients stay.
clear();
loss(true).backward();
res.reducerUnarmed = vals(w1.grad!);
let unprepared = "";
try {
  red.finalize();
} catch (e) {
  unprepared = (e as Error).message;
}
res.reducerErrors = [unprepared.includes("finalize() without prepare()") ? 1 : 0];
red.close();
pg.barrier();
pg.close();
console.log(JSON.stringify(res));
