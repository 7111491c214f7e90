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
pg.barrier();
pg.close();
console.log(JSON.stringify(res));
