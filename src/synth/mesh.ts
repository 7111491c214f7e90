/**
 * Face geometry: identity meshes (per subject), expression blending, eye gaze and vertex normals.
 * All positions are [V*3] float32 in cm, model frame (+x subject's left, +y up, +z forward).
 */
import { PART, type FaceKit } from "./facekit.ts";

/** A subject's neutral mesh and eyeball centres (cm). */
export interface IdentityMesh {
  /** [V*3] float32 cm. */
  positions: Float32Array;
  /** Eyeball centres, subject's right (x < 0) then left (x > 0). */
  eyeCentres: [Float64Array, Float64Array];
  /** Vertex indices of each eye's rotating parts (sclera, iris, pupil), right then left. */
  eyeVertices: [Uint32Array, Uint32Array];
}

/** neutral + Σ w_i identity_i. `idWeights`: up to 30 numbers, N(0,1)-scaled. */
export function buildIdentity(kit: FaceKit, idWeights: ArrayLike<number>): IdentityMesh {
  const positions = Float32Array.from(kit.neutral);
  for (let i = 0; i < idWeights.length && i < kit.identity.length; i++) {
    const w = idWeights[i];
    if (w === 0) continue;
    const d = kit.identity[i];
    for (let k = 0; k < positions.length; k++) positions[k] += w * d[k];
  }
  const right: number[] = [];
  const left: number[] = [];
  for (let v = 0; v < kit.numVertices; v++) {
    const p = kit.vertexPart[v];
    if (p === PART.sclera || p === PART.iris || p === PART.pupil) (positions[v * 3] < 0 ? right : left).push(v);
  }
  const scleraOf = (vs: number[]) => vs.filter((v) => kit.vertexPart[v] === PART.sclera);
  return {
    positions,
    eyeCentres: [fitSphereCentre(positions, scleraOf(right)), fitSphereCentre(positions, scleraOf(left))],
    eyeVertices: [Uint32Array.from(right), Uint32Array.from(left)],
  };
}

/** Least-squares sphere centre through the given vertices (|p|² = 2c·p + d, solved by normal equations). */
function fitSphereCentre(pos: Float32Array, verts: number[]): Float64Array {
  const A = new Float64Array(16);
  const b = new Float64Array(4);
  for (const v of verts) {
    const row = [2 * pos[v * 3], 2 * pos[v * 3 + 1], 2 * pos[v * 3 + 2], 1];
    const rhs = pos[v * 3] ** 2 + pos[v * 3 + 1] ** 2 + pos[v * 3 + 2] ** 2;
    for (let i = 0; i < 4; i++) {
      b[i] += row[i] * rhs;
      for (let j = 0; j < 4; j++) A[i * 4 + j] += row[i] * row[j];
    }
  }
  // Gaussian elimination with partial pivoting on the 4x4 system.
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(A[r * 4 + c]) > Math.abs(A[p * 4 + c])) p = r;
    for (let j = 0; j < 4; j++) [A[c * 4 + j], A[p * 4 + j]] = [A[p * 4 + j], A[c * 4 + j]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < 4; r++) {
      const f = A[r * 4 + c] / A[c * 4 + c];
      for (let j = c; j < 4; j++) A[r * 4 + j] -= f * A[c * 4 + j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(4);
  for (let r = 3; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < 4; j++) s -= A[r * 4 + j] * x[j];
    x[r] = s / A[r * 4 + r];
  }
  return x.subarray(0, 3);
}

/**
 * Identity mesh + Σ w_j expression_j, written into `out` ([V*3] float32 cm). Shapes with weight
 * below 0.002 are skipped (they move no vertex by more than ~0.01 cm, far below a pixel), so a
 * frame costs about (active shapes) x Ve x 3 multiply-adds.
 */
export function blendExpression(kit: FaceKit, id: IdentityMesh, weights: Float32Array, out: Float32Array): Float32Array {
  out.set(id.positions);
  const n = kit.numExprVertices * 3;
  for (let j = 0; j < weights.length; j++) {
    const w = weights[j];
    if (w < 0.002) continue;
    const d = kit.expression[j];
    for (let k = 0; k < n; k++) out[k] += w * d[k];
  }
  return out;
}

/** Rotates both eyeballs in place: `yaw` (+ = toward subject's left) and `pitch` (+ = up), radians. */
export function applyGaze(id: IdentityMesh, pos: Float32Array, yaw: number, pitch: number): void {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
  for (let e = 0; e < 2; e++) {
    const c = id.eyeCentres[e];
    for (const v of id.eyeVertices[e]) {
      const x = pos[v * 3] - c[0], y = pos[v * 3 + 1] - c[1], z = pos[v * 3 + 2] - c[2];
      // Pitch about x (up = +y as z goes forward), then yaw about y.
      const y1 = cp * y + sp * z, z1 = -sp * y + cp * z;
      const x2 = cy * x + sy * z1, z2 = -sy * x + cy * z1;
      pos[v * 3] = x2 + c[0];
      pos[v * 3 + 1] = y1 + c[1];
      pos[v * 3 + 2] = z2 + c[2];
    }
  }
}

/** Area-weighted unit vertex normals [V*3] from positions and the triangle list (outward). */
export function vertexNormals(pos: Float32Array, tris: Uint16Array, out: Float32Array): Float32Array {
  out.fill(0);
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t] * 3, b = tris[t + 1] * 3, c = tris[t + 2] * 3;
    const ux = pos[b] - pos[a], uy = pos[b + 1] - pos[a + 1], uz = pos[b + 2] - pos[a + 2];
    const vx = pos[c] - pos[a], vy = pos[c + 1] - pos[a + 1], vz = pos[c + 2] - pos[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    out[a] += nx; out[a + 1] += ny; out[a + 2] += nz;
    out[b] += nx; out[b + 1] += ny; out[b + 2] += nz;
    out[c] += nx; out[c + 1] += ny; out[c + 2] += nz;
  }
  for (let i = 0; i < out.length; i += 3) {
    const l = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= l; out[i + 1] /= l; out[i + 2] /= l;
  }
  return out;
}

/** The 68 landmark positions [68*3] (cm, model frame) of a mesh. */
export function landmarks3d(kit: FaceKit, pos: Float32Array): Float32Array {
  const out = new Float32Array(68 * 3);
  for (let i = 0; i < 68; i++) {
    const v = kit.landmarks68[i] * 3;
    out[i * 3] = pos[v]; out[i * 3 + 1] = pos[v + 1]; out[i * 3 + 2] = pos[v + 2];
  }
  return out;
}
