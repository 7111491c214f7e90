/**
 * One rank of the sharded feature-extraction test (test/eval/distributed-features.test.ts):
 * extracts resnet_tiny features of the tiny dataset's test fold over a 2-rank group (5 images per
 * rank per batch: the last batch is padded) and prints them as JSON. Args: rank port prepared.
 */
import { AuDataset } from "../../src/data/index.ts";
import { extractFeatures } from "../../src/eval/features.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { manualSeed, ProcessGroup } from "../../src/tensor/index.ts";

const [rankText, port, prepared] = process.argv.slice(2);
const group = ProcessGroup.init({ rank: Number(rankText), worldSize: 2, masterPort: Number(port), timeoutMs: 20_000 });
manualSeed(11);
const model = createAuModel({ backbone: "resnet_tiny", numAus: 12 });
const ds = AuDataset.open(prepared, 1, "test", { dataset: "BP4D" });
const f = await extractFeatures(model, ds, { cropSize: 48, batchSize: 5, workers: 0, group });
group.close();
console.log(JSON.stringify({ n: f.n, shape: f.featureShape, features: Array.from(f.features), labels: Array.from(f.labels) }));
