// c10d collectives through the binding, with Gloo on loopback: every collective against values
// computed by hand, the differentiable all-gather / all-reduce gradients, the gradient reducer
// (buckets launched during backward, zeros for missing gradients), and the rendezvous
// errors (bad rank/port, unreachable store, port in use, world-size mismatch).
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { fromArray, ProcessGroup } from "../../src/tensor/index.ts";
import { freePort, runTs } from "../helpers/dist.ts";

const WORKER = fileURLToPath(new URL("../helpers/dist-collectives.ts", import.meta.url));

describe("c10d process group (gloo)", () => {
  it("two ranks: all-reduce, bucket, broadcast, all-gather and their gradients equal hand-computed values", async () => {
    const port = await freePort();
    const runs = [0, 1].map((rank) => runTs(WORKER, [String(rank), "2", String(port)]).done);
    const [r0, r1] = await Promise.all(runs);
    for (const r of [r0, r1]) assert.equal(r.code, 0, r.err);
    const res = [r0, r1].map((r) => JSON.parse(r.out.trim().split("\n").pop()!));
    for (const [rank, x] of res.entries()) {
      assert.deepEqual(x.sum, [3, 30]);
      assert.deepEqual(x.avg, [1.5, 15]);
      assert.deepEqual(x.max, [2, -1]);
      assert.deepEqual(x.bucketA, [3, 9, 6, 12], "non-contiguous member of a bucket written back");
      assert.deepEqual(x.bucketB, [300]);
      assert.deepEqual(x.broadcast, [14, 16], "rank 1's values");
      assert.deepEqual(x.gather, [[1, 2], [2, 3]]);
      assert.deepEqual(x.gatherGradValue, [1, 2, 2, 3]);
      // dL/dx = w[rank] on each of the 2 ranks, summed by the backward all-reduce.
      assert.deepEqual(x.gatherGrad, rank === 0 ? [2, 2] : [4, 4]);
      assert.deepEqual(x.reduceGradValue, [6]);
      // sum over ranks of dL_r/ds = 1 + 2
      assert.deepEqual(x.reduceGrad, [3]);
      // Reducer: means over ranks of r, 2r, 3r (r = 1, 2); the frozen tensor gets zeros.
      assert.deepEqual(x.reducer1, [1.5, 1.5, 3, 3, 3, 4.5, 0, 0]);
      assert.deepEqual(x.reducer1Overlapped, [2], "both buckets launched during backward");
      // w3 only on rank 0: (3 + 0) / 2
      assert.deepEqual(x.reducer2, [1.5, 1.5, 3, 3, 3, 1.5]);
      // Buckets go in order: on rank 1 bucket 0 waits for w3, so nothing goes before finalize.
      assert.deepEqual(x.reducer2Overlapped, [rank === 0 ? 2 : 0]);
      assert.deepEqual(x.reducerUnarmed, [rank + 1, rank + 1]);
      assert.deepEqual(x.reducerErrors, [1]);
    }
  });

  it("a group of one is the identity and checks its arguments", async () => {
    const pg = ProcessGroup.init({ rank: 0, worldSize: 1, masterPort: await freePort(), timeoutMs: 5000 });
    const t = fromArray(Float32Array.of(1.5, -2), [2]);
    pg.allReduce([t], "avg");
    assert.deepEqual(Array.from(t.data<"float32">()), [1.5, -2]);
    assert.throws(() => pg.allReduce([t], "prod" as "sum"), /unknown reduce op 'prod'/);
    assert.throws(() => pg.broadcast([t], 1), /root 1 is not a rank/);
    pg.close();
    assert.throws(() => pg.barrier(), /rank 0: the process group is closed/);
    t.dispose();
    assert.throws(() => ProcessGroup.init({ rank: 2, worldSize: 2 }), /rank 2 is not in 0\.\.1/);
    assert.throws(() => ProcessGroup.init({ rank: 0, worldSize: 1, masterPort: 70000 }), /master port 70000/);
    assert.throws(() => ProcessGroup.init({ rank: 0, worldSize: 1, backend: "mpi" as "gloo" }), /unknown backend 'mpi'/);
  });

  it("rendezvous errors name the rank: unreachable store, port in use, world-size mismatch", async () => {
    // Nobody hosts the store on this port.
    const nobody = await runTs(WORKER, ["1", "2", String(await freePort()), "1500", "join"]).done;
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.err, /rank 1 of 2: cannot reach the rendezvous store at 127\.0\.0\.1:\d+ within 1\.5 s/);

    // Rank 0 cannot listen on a port that is taken.
    const srv = createServer();
    const taken = await new Promise<number>((res) => srv.listen(0, "127.0.0.1", () => res((srv.address() as { port: number }).port)));
    try {
      const busy = await runTs(WORKER, ["0", "1", String(taken), "1500", "join"]).done;
      assert.notEqual(busy.code, 0);
      assert.match(busy.err, /rank 0 of 1: cannot host the rendezvous store at 127\.0\.0\.1:\d+/);
    } finally {
      srv.close();
    }

    // Rank 1 believes in a world of 3.
    const port = await freePort();
    const [a, b] = await Promise.all([runTs(WORKER, ["0", "2", String(port), "3000", "join"]).done, runTs(WORKER, ["1", "3", String(port), "3000", "join"]).done]);
    assert.notEqual(a.code, 0);
    assert.match(a.err, /rank 0 of 2: world size mismatch: rank 1 was started with world size 3, this rank with 2/);
    assert.notEqual(b.code, 0);
    // Rank 0, the store's host, has stopped by then, or rank 2 never comes.
    assert.match(b.err, /rank 1 of 3: (rank\(s\) 2 did not join within 3\.0 s|lost the rendezvous store at 127\.0\.0\.1:\d+)/);
  });
});
