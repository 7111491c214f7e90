/** The data layer's public surface: raw-dataset parsing, prepared lists, transforms and the loader. */
export { AU_NAMES, BP4D_AUS, DISFA_AUS, auLabel, ausOf, parseDatasetName, type DatasetName } from "./aus.ts";
export { FOLDS, foldParts, parseFold, partOfSubject, subjectParts, type Fold } from "./folds.ts";
export { readBp4d, type Bp4dOptions } from "./bp4d.ts";
export { readDisfa, type DisfaOptions } from "./disfa.ts";
export { MASKED, type LabelledFrame, type ParsedDataset } from "./frames.ts";
export { DataFormatError, type Issue, type IssueReason } from "./issues.ts";
export { classWeights, type ClassWeights } from "./class-weights.ts";
export { readPreparedSource, readPreparedSplit, writePreparedSplit, type PreparedSplit, type Split } from "./prepared-lists.ts";
export { splitFolds, writePrepared } from "./prepare.ts";
export { formatSummary, type PrepareSummary } from "./summary.ts";
export { AuDataset } from "./dataset.ts";
export { DataLoader, type Batch, type LoaderOptions } from "./loader.ts";
export { batchToTensors, type BatchTensors } from "./to-tensors.ts";
export { Rng } from "./rng.ts";
export { DEFAULT_AUGMENT, sampleAugmentParams, type AugmentConfig, type AugmentParams } from "./transforms/params.ts";
export { augmentView, testView } from "./transforms/pipeline.ts";
export { MEAN, STD } from "./transforms/normalize.ts";
export { decodeRgb } from "./transforms/decode.ts";
