/**
 * Gathers a strided view of a storage into contiguous row-major bytes (what a PyTorch tensor with
 * `storage_offset`, `size`, `stride` denotes). Contiguous views are returned without copying.
 */

/**
 * Most bytes a view may gather beyond its storage's own size. Only overlapping views (stride 0, as
 * `expand` makes) hold more elements than their storage; materialising one is capped so a pickled
 * size like [1e6, 1e6] over a one-element storage is refused instead of allocated.
 */
export const MAX_EXPANDED_BYTES = 64 << 20;

/**
 * Returns the bytes of the view `(offset, size, stride)` (all in elements) of `storage`, whose
 * elements are `item` bytes wide, as a contiguous array. Throws an Error naming `what` when the
 * view reaches outside the storage, has a negative size, or would gather more than
 * MAX_EXPANDED_BYTES beyond the storage's size.
 */
export function gatherStrided(
  storage: Uint8Array,
  item: number,
  offset: number,
  size: readonly number[],
  stride: readonly number[],
  what: string,
): Uint8Array {
  if (size.length !== stride.length) {
    throw new Error(`${what}: size [${size.join(", ")}] and stride [${stride.join(", ")}] differ in length`);
  }
  if (size.some((d) => d < 0)) throw new Error(`${what}: size [${size.join(", ")}] has a negative dimension`);
  let n = 1;
  for (const d of size) n *= d;
  const nel = storage.byteLength / item;
  if (n === 0) return new Uint8Array(0);
  if (n * item > storage.byteLength + MAX_EXPANDED_BYTES) {
    throw new Error(`${what}: size [${size.join(", ")}] holds ${n} elements, more than its storage of ${nel} can give without copying over ${MAX_EXPANDED_BYTES} bytes`);
  }
  let lo = offset;
  let hi = offset;
  for (let i = 0; i < size.length; i++) {
    const span = (size[i] - 1) * stride[i];
    if (span < 0) lo += span;
    else hi += span;
  }
  if (lo < 0 || hi >= nel) {
    throw new Error(
      `${what}: view (offset ${offset}, size [${size.join(", ")}], stride [${stride.join(", ")}]) reaches elements ${lo}..${hi} of a storage of ${nel}`,
    );
  }
  // Contiguous (strides of size-1 dims do not matter): a zero-copy view.
  let expect = 1;
  let contiguous = true;
  for (let i = size.length - 1; i >= 0; i--) {
    if (size[i] !== 1 && stride[i] !== expect) {
      contiguous = false;
      break;
    }
    expect *= size[i];
  }
  if (contiguous) return storage.subarray(offset * item, (offset + n) * item);

  const out = new Uint8Array(n * item);
  const nd = size.length;
  const last = nd - 1;
  // Copy the innermost dimension as one run when its stride is 1, else element by element.
  const runLen = stride[last] === 1 ? size[last] : 1;
  const outerDims = runLen === 1 ? nd : last;
  const idx = new Array<number>(outerDims).fill(0);
  let src = offset;
  let dst = 0;
  const runBytes = runLen * item;
  for (let k = 0; k < n; k += runLen) {
    out.set(storage.subarray(src * item, src * item + runBytes), dst);
    dst += runBytes;
    // Odometer increment over the outer dims.
    for (let d = outerDims - 1; d >= 0; d--) {
      idx[d]++;
      src += stride[d];
      if (idx[d] < size[d]) break;
      src -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return out;
}
