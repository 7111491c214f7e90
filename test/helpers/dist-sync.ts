/**
 * One rank of the GradientSync test (test/train/distributed-sync.test.ts): a two-layer net whose
 * input depends on the rank, its gradients averaged by GradientSync with the overlapped reducer
 * and then, from the same local gradients, by the after-backward fallback; prints both (as
 * float32 bit patterns), the bucket layout and how many buckets went out during backward.
 * Args: rank worldSize port. The parameter `extra` is used on rank 0 only.
 */
import { fromArray, manualSeed, ProcessGroup, randn, type Tensor } from "../../src/tensor/index.ts";
import { GradientSync } from "../../src/train/distributed.ts";

const [rank, worldSize, port] = process.argv.slice(2, 5).map(Number);
const pg = ProcessGroup.init({ rank, worldSize, masterPort: port, timeoutMs: 20_000 });
manualSeed(3);
const extra = randn([4]).requiresGrad_();
const w1 = randn([32, 64]).requiresGrad_();
const b1 = randn([64]).requiresGrad_();
const w2 = randn([64, 10]).requiresGrad_();
const b2 = randn([10]).requiresGrad_();
const params = [extra, w1, b1, w2, b2];
const x = fromArray(Float32Array.from({ length: 8 * 32 }, (_, i) => Math.sin(i * (rank + 1))), [8, 32]);
const loss = () => {
  const h = x.matmul(w1).add(b1).tanh();
  let l = h.matmul(w2).add(b2).square().mean();
  if (rank === 0) l = l.add(extra.square().sum());
  return l;
};
const bits = (ts: Tensor[]) => ts.flatMap((p) => (p.grad ? Array.from(new Uint32Array(new Float32Array(p.grad.data<"float32">()).buffer)) : [-1]));
const clear = () => params.forEach((p) => (p.grad = null));
// Buckets (reverse order): [b2, w2] (first bucket, 100 B), [b1, w1], [extra].
const opts = { bucketBytes: 2048, firstBucketBytes: 100 };

const over = new GradientSync(params, pg, { ...opts, overlap: true });
over.beforeBackward();
loss().backward();
over.average();
const overlapped = bits(params);
const launched = over.lastOverlapped;
const layout = over.buckets.map((b) => b.map((p) => params.indexOf(p)));
over.close();

clear();
const after = new GradientSync(params, pg, { ...opts, overlap: false });
after.beforeBackward();
loss().backward();
after.average();
const fallback = bits(params);

clear();
loss().backward();
const local = bits(params);
pg.barrier();
pg.close();
console.log(JSON.stringify({ overlapped, fallback, local, launched, layout }));
