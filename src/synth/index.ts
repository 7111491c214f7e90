/** SynthAU: synthetic FACS-labelled face data (see docs/synthau.md). */
export { generateSynthDataset, SYNTH_VERSION, type SynthOptions, type SynthResult } from "./generate.ts";
export {
  BP4D_AUS, BP4D_CODED_AUS, DEFAULT_RATES, DISFA_AUS, DISFA_CODED_AUS, generateSequenceLabels, LABEL_DEFAULTS,
  presentLevel, resolveLabelOptions, type DatasetStyle, type LabelOptions, type SequenceLabels,
} from "./labels.ts";
export { BP4D_PARTS, DISFA_PARTS, subjectNames } from "./naming.ts";
export { FaceRenderer, type FrameSpec, type RenderedFrame } from "./render.ts";
export { AU_ROW_CHOICE, RENDERABLE_AUS } from "./au-map.ts";
export { applyPhoto, PHOTO_MAX_POSE, samplePhoto, SYNTH_DOMAINS, type PhotoParams, type SynthDomain } from "./photo.ts";
export { faceBoxFromLandmarks, HARD_CONDITION_WORDS, HARD_CONDITIONS, hardFaceImage, hardFaceSet, type HardBox, type HardCondition, type HardFaceImage, type HardFaceOptions } from "./hard-faces.ts";
