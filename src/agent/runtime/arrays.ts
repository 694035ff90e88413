// Growing the typed arrays the runtime keeps its figures in (never on the
// hot path: only when a pool or a table runs out of room).

export function grownInt32(from: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const to = new Int32Array(size);
  if (fill !== 0) to.fill(fill);
  to.set(from);
  return to;
}

export function grownFloat64(from: Float64Array, size: number, fill = 0): Float64Array<ArrayBuffer> {
  const to = new Float64Array(size);
  if (fill !== 0) to.fill(fill);
  to.set(from);
  return to;
}
