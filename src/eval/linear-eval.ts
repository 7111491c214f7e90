/**
 * Linear evaluation (spec §5): the AUNCE encoder frozen in eval mode, per-AU Linear(C, 2) +
 * softmax heads (index 0 = present) trained with the clamped class-weighted softmax loss, Adam
 * lr 1e-3, weight decay 1e-6, batch 256, 100 epochs, on features cached once.
 * Epoch selection uses a validation split of training subjects. The reference instead picks the
 * epoch with the best TEST F1; that figure is reported too, labelled as such.
 */
import type { AuDataset } from "../data/index.ts";
import { Rng } from "../data/index.ts";
import { weightedSoftmaxLoss } from "../losses/index.ts";
import type { AuModel } from "../models/au-model.ts";
import { LinearEvalHead } from "../models/heads/index.ts";
import { Adam } from "../nn/index.ts";
import { fromArray, manualSeed, noGrad, tidy, type ProcessGroup, type Tensor } from "../tensor/index.ts";
import { computeMetrics, type Metrics } from "./metrics.ts";
import { extractFeatures, subjectSplit, subset, type FeatureSet } from "./features.ts";

export interface LinearEvalOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
  /** Share of training subjects held out for epoch selection (default 1/6). */
  valFraction?: number;
  cropSize: number;
  /** where the encoder lives (features come back to the CPU; the linear heads train there) */
  device?: string;
  workers?: number;
  /**
   * A data-parallel group: feature extraction is sharded over its ranks (each encodes 1/N of
   * every batch; see extractFeatures); the linear heads then train identically on every rank.
   */
  group?: ProcessGroup;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  valF1: number;
  testF1: number;
}

export interface LinearEvalResult {
  aus: number[];
  valSubjects: string[];
  history: EpochRecord[];
  /** Our selection: the epoch with the best validation mean F1; `testProbs` / `testLabels` [n, N] are its test-fold P(present) and labels, in dataset order. */
  selected: { epoch: number; val: Metrics; test: Metrics; testProbs: Float32Array; testLabels: Float32Array };
  /** The reference's selection: the epoch with the best TEST mean F1 (optimistic). */
  referenceSelection: { epoch: number; test: Metrics };
  /** The head's weights at the selected epoch. */
  head: LinearEvalHead;
}

function probsOf(head: LinearEvalHead, f: FeatureSet): Float32Array {
  return noGrad(() =>
    tidy(() => {
      const z = fromArray(f.features, [f.n, ...f.featureShape]);
      return head.forward(z).select(1, 0).contiguous().data() as Float32Array; // [n, N] P(present)
    }),
  );
}

/** Linear evaluation of `encoder` on a fold's train/test datasets. */
export async function linearEval(encoder: AuModel, aus: readonly number[], train: AuDataset, test: AuDataset, o: LinearEvalOptions): Promise<LinearEvalResult> {
  // The kind check comes before any work: extracting features takes minutes on a real fold.
  if (encoder.head.output !== "embeddings") {
    throw new Error("linear evaluation needs an AUNCE encoder (AU embeddings); this is a supervised model (per-AU scores): evaluate it with `aunce evaluate`");
  }
  const epochs = o.epochs ?? 100;
  const batchSize = o.batchSize ?? 256;
  const seed = o.seed ?? 3407;
  const split = subjectSplit(train, o.valFraction ?? 1 / 6, seed);
  const feats = async (ds: AuDataset, stage: string) =>
    extractFeatures(encoder, ds, { cropSize: o.cropSize, workers: o.workers, device: o.device, ...(o.group ? { group: o.group } : {}), onBatch: (d, t) => o.onProgress?.(stage, d, t) });
  const fTrain = await feats(subset(train, split.train), "features (train)");
  const fVal = await feats(subset(train, split.val), "features (validation)");
  const fTest = await feats(test, "features (test)");
  if (fTrain.featureShape.length !== 2) throw new Error(`linear evaluation needs AU embeddings [B, C, N]; the encoder gives [B, ${fTrain.featureShape}]`);
  const [C, N] = fTrain.featureShape;

  manualSeed(seed);
  const head = new LinearEvalHead(C, N);
  const opt = new Adam(head.parameters(), { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay ?? 1e-6 });
  const weights = train.weights ? fromArray(Float32Array.from(train.weights), [N]) : null;
  const X = fromArray(fTrain.features, [fTrain.n, C, N]);
  const Y = fromArray(fTrain.labels, [fTrain.n, N]);
  const history: EpochRecord[] = [];
  let best: { epoch: number; valF1: number; state: Map<string, Tensor> } | undefined;
  let bestTest: { epoch: number; test: Metrics } | undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      head.train();
      const order = new Rng(seed, epoch, 0x4c494e).permutation(fTrain.n);
      let lossSum = 0;
      let batches = 0;
      for (let s = 0; s < fTrain.n; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        lossSum += tidy(() => {
          const ix = fromArray(BigInt64Array.from(idx, (i) => BigInt(i)), [idx.length]);
          opt.zeroGrad();
          const l = weightedSoftmaxLoss(head.forward(X.indexSelect(0, ix)), Y.indexSelect(0, ix).clampMin(0), weights);
          l.backward();
          return l.item();
        });
        opt.step();
        batches++;
      }
      head.eval();
      const valF1 = computeMetrics(probsOf(head, fVal), fVal.labels, aus).meanF1;
      const testMetrics = computeMetrics(probsOf(head, fTest), fTest.labels, aus);
      const testF1 = testMetrics.meanF1;
      history.push({ epoch, loss: lossSum / batches, valF1, testF1 });
      if (!best || valF1 > best.valF1) {
        for (const t of best?.state.values() ?? []) t.dispose();
        best = { epoch, valF1, state: new Map([...head.stateDict()].map(([k, v]) => [k, v.clone()])) };
      }
      if (!bestTest || testF1 > bestTest.test.meanF1) bestTest = { epoch, test: testMetrics };
      o.onProgress?.("linear heads", epoch + 1, epochs);
    }
    head.loadStateDict(best!.state);
    head.eval();
    const testProbs = probsOf(head, fTest);
    const selected = { epoch: best!.epoch, val: computeMetrics(probsOf(head, fVal), fVal.labels, aus), test: computeMetrics(testProbs, fTest.labels, aus), testProbs, testLabels: fTest.labels };
    return { aus: [...aus], valSubjects: split.valSubjects, history, selected, referenceSelection: bestTest!, head };
  } finally {
    for (const t of best?.state.values() ?? []) t.dispose();
    for (const t of [X, Y]) t.dispose();
    weights?.dispose();
    opt.dispose();
  }
}
