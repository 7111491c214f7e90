/**
 * Loading the browser detector's networks: the face detector, the landmark net and the AU model
 * (ONNX, from URLs) and the AU model's JSON sidecar, in parallel. Every failure names its URL.
 */
import type * as ort from "onnxruntime-web";
import { AU_INPUT } from "../face/geometry/au-input.ts";
import { loadJson, loadSession, ModelLoadError } from "./runtime.ts";
import type { WebModelUrls } from "./types.ts";
import { validateGeometryModel, type GeometryModelFile } from "../face/geometry/geometry-model.ts";

/** The fields of the AU model's sidecar the browser needs. */
export interface AuSidecar {
  /** AU numbers in the model's output order. */
  aus: number[];
  /** Per-AU thresholds the model was tuned with (AU number -> threshold), if any. */
  thresholds: Record<number, number>;
  /** The alignment template version the model was trained on, e.g. "aunce-align-v1". */
  template: string | null;
  /** The AU model's input side (default 224) and per-channel normalisation (default the spec's, AU_INPUT). */
  inputSize: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** The sidecar as read, for anything else (origin, licence). */
  raw: Record<string, unknown>;
}

/** Loaded sessions; `dispose()` releases them. */
export interface WebModels {
  detector: ort.InferenceSession;
  landmarks: ort.InferenceSession;
  au: ort.InferenceSession;
  sidecar: AuSidecar;
  /** The geometry AU model when models.geometry was given. */
  geometry?: GeometryModelFile;
  dispose(): Promise<void>;
}

/** AU numbers from "AU12", "12" or 12. */
function auNumber(v: unknown): number | null {
  const m = (typeof v === "number" ? String(v) : typeof v === "string" ? v.replace(/^AU/i, "") : "").match(/^0*([1-9]\d*)$/);
  return m ? Number(m[1]) : null;
}

/** Reads a sidecar object; a ModelLoadError names what is missing. */
export function parseSidecar(url: string, json: unknown): AuSidecar {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new ModelLoadError(url, "the sidecar is not a JSON object");
  const raw = json as Record<string, unknown>;
  const list = raw.aus ?? raw.au_names ?? raw.auNames;
  if (!Array.isArray(list) || !list.length) throw new ModelLoadError(url, "the sidecar has no 'aus' list (the AU names in output order)");
  const aus = list.map(auNumber);
  const bad = list.filter((_, i) => aus[i] === null);
  if (bad.length) throw new ModelLoadError(url, `the sidecar's 'aus' has entries that are not AU numbers: ${JSON.stringify(bad)}`);
  const thresholds: Record<number, number> = {};
  const t = raw.thresholds;
  if (t && typeof t === "object") {
    for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
      const au = auNumber(k);
      if (au !== null && typeof v === "number") thresholds[au] = v;
    }
  }
  const tpl = raw.template ?? raw.alignTemplate ?? raw.align_template;
  const template = typeof tpl === "string" ? tpl : tpl && typeof tpl === "object" && typeof (tpl as { version?: unknown }).version === "string" ? (tpl as { version: string }).version : null;
  const input = (raw.input && typeof raw.input === "object" ? raw.input : {}) as Record<string, unknown>;
  const norm = (raw.normalisation ?? raw.normalization ?? input.normalisation ?? input) as Record<string, unknown>;
  const size = input.size ?? raw.inputSize ?? raw.input_size ?? AU_INPUT.size;
  const triple = (v: unknown, def: readonly number[], name: string): [number, number, number] => {
    if (v === undefined) return [def[0], def[1], def[2]];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) throw new ModelLoadError(url, `the sidecar's ${name} must be 3 numbers (R, G, B), got ${JSON.stringify(v)}`);
    return [v[0], v[1], v[2]];
  };
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) throw new ModelLoadError(url, `the sidecar's input size must be a whole number, got ${JSON.stringify(size)}`);
  const std = triple(norm?.std, AU_INPUT.std, "std");
  if (std.some((v) => v <= 0)) throw new ModelLoadError(url, `the sidecar's std must be positive, got ${JSON.stringify(std)}`);
  return { aus: aus as number[], thresholds, template, inputSize: size, mean: triple(norm?.mean, AU_INPUT.mean, "mean"), std, raw };
}

/** Fetches and opens everything; the first failure rejects (the others are released). */
export async function loadWebModels(urls: WebModelUrls, providers: string[]): Promise<WebModels> {
  for (const key of ["detector", "landmarks", "au", "sidecar"] as const) {
    if (typeof urls?.[key] !== "string" || !urls[key]) throw new TypeError(`createAuDetector: models.${key} must be a URL string, got ${JSON.stringify(urls?.[key])}`);
  }
  if (urls.geometry !== undefined && (typeof urls.geometry !== "string" || !urls.geometry)) throw new TypeError(`createAuDetector: models.geometry must be a URL string when given, got ${JSON.stringify(urls.geometry)}`);
  const parts = [loadSession(urls.detector, providers), loadSession(urls.landmarks, providers), loadSession(urls.au, providers), loadJson(urls.sidecar), urls.geometry ? loadJson(urls.geometry) : Promise.resolve(undefined)] as const;
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    for (const s of settled.slice(0, 3)) if (s.status === "fulfilled") await (s.value as ort.InferenceSession).release();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [detector, landmarks, au, json, geometryJson] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [ort.InferenceSession, ort.InferenceSession, ort.InferenceSession, unknown, unknown];
  let sidecar: AuSidecar;
  let geometry: GeometryModelFile | undefined;
  try {
    sidecar = parseSidecar(urls.sidecar, json);
    if (urls.geometry) {
      try {
        geometry = validateGeometryModel(geometryJson);
      } catch (err) {
        throw new ModelLoadError(urls.geometry, (err as Error).message);
      }
    }
  } catch (err) {
    await Promise.all([detector.release(), landmarks.release(), au.release()]);
    throw err;
  }
  return {
    detector, landmarks, au, sidecar, ...(geometry ? { geometry } : {}),
    async dispose() {
      await Promise.all([detector.release(), landmarks.release(), au.release()]);
    },
  };
}
