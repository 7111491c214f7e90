/**
 * Renders one frame from a serialisable FrameSpec: identity + AU shapes + gaze -> pose/crop ->
 * shading -> rasterisation over a background -> blur/noise -> 8-bit RGB, plus the 68 landmarks in
 * image coordinates. Identity meshes and albedo are cached per subject (a sequence reuses them).
 */
import { type AppearanceParams, buildAlbedo, type Lighting, shadeVertices } from "./appearance.ts";
import { type AuMapper, type AuState, createAuMapper } from "./au-map.ts";
import { type BackgroundParams, drawBackground } from "./background.ts";
import { project, type View } from "./camera.ts";
import { type DegradeParams, degradeToBytes } from "./degrade.ts";
import { type FaceKit, loadFaceKit, PART } from "./facekit.ts";
import { applyGaze, blendExpression, buildIdentity, type IdentityMesh, vertexNormals } from "./mesh.ts";
import { clearFrame, createFrame, type Frame, rasterize } from "./rasterizer.ts";
import { applyPhoto, toGrey, type PhotoParams } from "./photo.ts";
import { Rng } from "./random.ts";

/** Everything that decides one frame's pixels. Plain data (structured-clone safe). */
export interface FrameSpec {
  /** Cache key of the subject (identity + appearance). */
  subjectId: number;
  /** Cache key of the background (same scene for every frame of a sequence). */
  backgroundId: number;
  identity: number[];
  appearance: AppearanceParams;
  /** [au, intensity 0..5 continuous, left factor, right factor]. */
  aus: [number, number, number, number][];
  /** Extra raw shape weights (nuisance motion not tied to a labelled AU). */
  extra: [string, number][];
  /** Eyeball rotation, radians: yaw (+ = subject's left), pitch (+ = up). */
  gaze: [number, number];
  view: View;
  light: Lighting;
  background: BackgroundParams;
  degrade: DegradeParams;
  /** Seed of the per-pixel noise. */
  noiseKey: number;
  /** Photo-domain nuisance (src/synth/photo.ts); absent in the lab domain. */
  photo?: PhotoParams;
}

/** A rendered frame before blur/compression: RGB uint8 [size*size*3], landmarks [68*2] float32 (x, y pixels). */
export interface RenderedFrame {
  size: number;
  rgb: Uint8Array;
  landmarks: Float32Array;
  /** 1 where the face covers the pixel [size*size]. */
  mask: Uint8Array;
}

interface SubjectCacheEntry {
  mesh: IdentityMesh;
  albedo: Float32Array;
}

/** A per-thread renderer with its buffers and a small subject cache. */
export class FaceRenderer {
  readonly kit: FaceKit;
  readonly mapper: AuMapper;
  private cache = new Map<number, SubjectCacheEntry>();
  private pos: Float32Array;
  private normals: Float32Array;
  private colour: Float32Array;
  private screen: Float32Array;
  private pupilTris: Uint8Array;
  private frame: Frame | null = null;
  private bgCache = new Map<number, Float32Array>();

  constructor(kit: FaceKit = loadFaceKit()) {
    this.kit = kit;
    this.mapper = createAuMapper(kit);
    const V = kit.numVertices;
    this.pos = new Float32Array(V * 3);
    this.normals = new Float32Array(V * 3);
    this.colour = new Float32Array(V * 3);
    this.screen = new Float32Array(V * 3);
    this.pupilTris = kit.trianglePart.map((p) => (p === PART.pupil ? 1 : 0));
  }

  private subject(spec: FrameSpec): SubjectCacheEntry {
    let e = this.cache.get(spec.subjectId);
    if (!e) {
      const mesh = buildIdentity(this.kit, spec.identity);
      e = { mesh, albedo: buildAlbedo(this.kit, mesh.positions, spec.appearance) };
      // A handful of subjects is enough: work arrives sequence by sequence.
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(spec.subjectId, e);
    }
    return e;
  }

  /** Posed, expression-blended mesh positions [V*3] (cm, model frame) of a spec; shared buffer. */
  geometry(spec: FrameSpec): Float32Array {
    const s = this.subject(spec);
    const aus = new Map<number, AuState>(spec.aus.map(([au, intensity, left, right]) => [au, { intensity, left, right }]));
    const w = this.mapper.weights(aus, new Map(spec.extra));
    blendExpression(this.kit, s.mesh, w, this.pos);
    applyGaze(s.mesh, this.pos, spec.gaze[0], spec.gaze[1]);
    return this.pos;
  }

  /** Renders a frame (deterministic for a spec). */
  render(spec: FrameSpec): RenderedFrame {
    const kit = this.kit;
    const size = spec.view.size;
    const s = this.subject(spec);
    const pos = this.geometry(spec);
    const { screen, rotation } = project(pos, kit.landmarks68, spec.view, this.screen);
    vertexNormals(pos, kit.triangles, this.normals);
    shadeVertices(kit, s.albedo, this.normals, rotation, spec.light, this.colour);
    if (!this.frame || this.frame.width !== size) this.frame = createFrame(size, size);
    const frame = this.frame;
    clearFrame(frame);
    frame.rgb.set(this.background(spec, size));
    rasterize(frame, screen, this.colour, kit.triangles, this.pupilTris, [0.02, 0.02, 0.02]);
    const landmarks = new Float32Array(136);
    for (let i = 0; i < 68; i++) {
      const v = kit.landmarks68[i];
      landmarks[i * 2] = screen[v * 3];
      landmarks[i * 2 + 1] = screen[v * 3 + 1];
    }
    if (spec.photo) applyPhoto(frame.rgb, frame.mask, landmarks, size, spec.photo);
    const rgb = degradeToBytes(frame.rgb, spec.degrade, new Rng(spec.noiseKey));
    if (spec.photo?.grey) toGrey(rgb);
    return { size, rgb, landmarks, mask: frame.mask.slice() };
  }

  private background(spec: FrameSpec, size: number): Float32Array {
    const key = spec.backgroundId * 4096 + size;
    let bg = this.bgCache.get(key);
    if (!bg) {
      bg = new Float32Array(size * size * 3);
      drawBackground(spec.background, size, bg);
      if (this.bgCache.size >= 4) this.bgCache.delete(this.bgCache.keys().next().value as number);
      this.bgCache.set(key, bg);
    }
    return bg;
  }
}
