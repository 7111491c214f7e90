/**
 * The landmark-geometry AU model on the Node side: loading its weights file and scoring a
 * pipeline's face analyses with it, alone or fused with the image model (the maths, shared with the
 * browser, is in geometry/au-geometry.ts and geometry/geometry-model.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { geometryFeatures } from "./geometry/au-geometry.ts";
import { fuseGeometry, predictGeometry, validateGeometryModel, type GeometryModelFile } from "./geometry/geometry-model.ts";
import type { FaceAnalysis } from "./pipeline.ts";

/** The optional bundled geometry AU model (assets/models/synthau-geometry-logistic.md). */
export const DEFAULT_GEOMETRY_MODEL_PATH = fileURLToPath(new URL("../../assets/models/synthau-geometry-logistic.json", import.meta.url));

/**
 * The geometry option of the detector API and CLI: true = the bundled model, a string = a weights
 * file, an object = a model already parsed (checked); false or undefined = none.
 */
export function resolveGeometryModel(option: boolean | string | GeometryModelFile | undefined): GeometryModelFile | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) {
    if (!existsSync(DEFAULT_GEOMETRY_MODEL_PATH)) throw new Error(`geometry: the bundled geometry AU model is missing (${DEFAULT_GEOMETRY_MODEL_PATH})`);
    return loadGeometryModel(DEFAULT_GEOMETRY_MODEL_PATH);
  }
  if (typeof option === "string") return loadGeometryModel(option);
  if (typeof option === "object" && option !== null) return validateGeometryModel(option);
  throw new TypeError(`geometry: expected true, false, a weights file path or a parsed model, got ${JSON.stringify(option)}`);
}

/** Reads and checks a geometry AU model weights file (JSON). */
export function loadGeometryModel(path: string): GeometryModelFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: cannot read a geometry AU model: ${(err as Error).message}`);
  }
  try {
    return validateGeometryModel(parsed);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** The geometry model's probabilities (m.aus order) for one analysed face. */
export function geometryProbabilities(m: GeometryModelFile, face: Pick<FaceAnalysis, "landmarks" | "alignment">): Float32Array {
  return predictGeometry(m, geometryFeatures(face.landmarks, face.alignment));
}

/** A FaceScorer (realface-check.ts) giving the geometry model alone. */
export function geometryScorer(m: GeometryModelFile): { aus: readonly number[]; score(face: FaceAnalysis): Float32Array } {
  return { aus: m.aus, score: (face) => geometryProbabilities(m, face) };
}

/** A FaceScorer giving the image model (AUs `imageAus`, the face's probabilities) fused with the geometry model. */
export function fusionScorer(m: GeometryModelFile, imageAus: readonly number[]): { aus: readonly number[]; score(face: FaceAnalysis): Float32Array } {
  return { aus: imageAus, score: (face) => fuseGeometry(m, imageAus, face.probabilities, geometryProbabilities(m, face)) };
}
