// GradientSync (src/train/distributed.ts): the overlapped reducer and the after-backward fallback
// give the same averaged gradients, bit for bit, with a parameter unused on one rank; the bucket
// layout (DDP's small first bucket); distEnv's AUNCE_DIST_OVERLAP.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { distEnv } from "../../src/train/distributed.ts";
import { freePort, runTs } from "../helpers/dist.ts";

const WORKER = fileURLToPath(new URL("../helpers/dist-sync.ts", import.meta.url));

describe("GradientSync", () => {
  it("overlapped and after-backward averaging agree bit for bit (2 ranks, a parameter unused on rank 1)", async () => {
    const port = await freePort();
    const [r0, r1] = await Promise.all([0, 1].map((rank) => runTs(WORKER, [String(rank), "2", String(port)]).done));
    for (const r of [r0, r1]) assert.equal(r.code, 0, r.err);
    const [a, b] = [r0, r1].map((r) => JSON.parse(r.out.trim().split("\n").pop()!));
    for (const x of [a, b]) {
      assert.deepEqual(x.layout, [[4, 3], [2, 1], [0]], "reverse order, a 100-byte first bucket, then 2 KiB ones");
      assert.deepEqual(x.overlapped, x.fallback);
    }
    // The same means on both ranks, and different from each rank's local gradients.
    assert.deepEqual(a.overlapped, b.overlapped);
    assert.notDeepEqual(a.overlapped, a.local);
    // Rank 1 has no gradient for `extra`: it takes part with zeros and gets the mean.
    assert.equal(b.local[0], -1);
    assert.notEqual(a.local[0], -1);
    // Buckets in order: the first two go out during backward on both ranks; [extra] waits for
    // average() on rank 1.
    assert.equal(a.launched, 3);
    assert.equal(b.launched, 2);
  });

  it("AUNCE_DIST_OVERLAP selects the mode and is checked", () => {
    const base = { WORLD_SIZE: "2", RANK: "1", MASTER_PORT: "29500" };
    assert.equal(distEnv(base)!.overlap, true);
    assert.equal(distEnv({ ...base, AUNCE_DIST_OVERLAP: "0" })!.overlap, false);
    assert.equal(distEnv({ ...base, AUNCE_DIST_OVERLAP: "1" })!.overlap, true);
    assert.throws(() => distEnv({ ...base, AUNCE_DIST_OVERLAP: "yes" }), /AUNCE_DIST_OVERLAP=yes: expected 1 .* or 0/);
  });
});
