// Log-linear latency histogram in the HdrHistogram style: values in integer
// nanoseconds, exact below 64 ns, then 64 linear sub-buckets per power of two
// (relative error under 1.6%), up to 2^44 ns (~4.9 h; larger values clamp).
// Memory is fixed per function, whatever the number of calls; merging two
// histograms is adding their counts.

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64
const MAX_EXP = 43;

export const BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB;

/** Bucket index of a duration in nanoseconds. Allocation-free; the hot path. */
export function bucketOf(ns: number): number {
  if (ns < SUB) return ns > 0 ? ns | 0 : 0;
  if (ns < 2147483648) {
    const e = 31 - Math.clz32(ns);
    return ((e - SUB_BITS + 1) << SUB_BITS) + (ns >>> (e - SUB_BITS)) - SUB;
  }
  let e = Math.floor(Math.log2(ns));
  if (e > MAX_EXP) return BUCKETS - 1;
  const sub = Math.floor(ns / 2 ** (e - SUB_BITS)) - SUB;
  return ((e - SUB_BITS + 1) << SUB_BITS) + (sub < SUB ? sub : SUB - 1);
}

/** Lowest value (ns) that lands in bucket `index`, and the bucket's width. */
export function bucketRange(index: number): [low: number, width: number] {
  if (index < SUB) return [index, 1];
  const octave = index >> SUB_BITS; // ≥ 1
  const width = 2 ** (octave - 1);
  return [(SUB + (index & (SUB - 1))) * width, width];
}

/** Counts by bucket, sparse: the form written to process reports. */
export type SparseCounts = Array<[number, number]>;

export function toSparse(counts: ArrayLike<number>): SparseCounts {
  const out: SparseCounts = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) out.push([i, counts[i]]);
  return out;
}

/** A mergeable histogram for the launcher side (merging and percentiles). */
export class Histogram {
  readonly counts = new Map<number, number>();
  total = 0;

  add(sparse: SparseCounts): void {
    for (const [index, count] of sparse) {
      this.counts.set(index, (this.counts.get(index) ?? 0) + count);
      this.total += count;
    }
  }

  /** The counts as sparse pairs by rising index: the form summary.json carries. */
  sparse(): SparseCounts {
    return [...this.counts].filter(([, count]) => count !== 0).sort((a, b) => a[0] - b[0]);
  }

  /** Value (ns) at quantile q in [0, 1]: the middle of the bucket holding that rank, never above `maxNs`. */
  quantile(q: number, maxNs: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    const indexes = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const index of indexes) {
      seen += this.counts.get(index)!;
      if (seen >= rank) return bucketValue(index, maxNs);
    }
    return maxNs;
  }
}

/** The value a quantile falling in bucket `index` takes: the bucket's middle, never above `maxNs`. */
function bucketValue(index: number, maxNs: number): number {
  const [low, width] = bucketRange(index);
  return Math.min(width === 1 ? low : low + width / 2, maxNs);
}

/** Counts by bucket, dense (BUCKETS long): cheap to add to and subtract from, for figures recomputed often (run --live). */
export function denseCounts(): Float64Array {
  return new Float64Array(BUCKETS);
}

/** Adds (sign 1) or takes away (sign -1) sparse counts. */
export function addSparse(dense: Float64Array, sparse: SparseCounts, sign = 1): void {
  for (const [index, count] of sparse) dense[index] += sign * count;
}

/** Values (ns) at the quantiles `qs` (ascending, in [0, 1]) of dense counts, as Histogram.quantile gives them; NaN when empty. */
export function denseQuantiles(dense: Float64Array, qs: number[], maxNs: number): number[] {
  let total = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] > 0) total += dense[i];
  const out = qs.map(() => NaN);
  if (total === 0) return out;
  let next = 0;
  let seen = 0;
  for (let i = 0; i < dense.length && next < qs.length; i++) {
    if (dense[i] <= 0) continue;
    seen += dense[i];
    while (next < qs.length && seen >= Math.max(1, Math.ceil(qs[next] * total))) out[next++] = bucketValue(i, maxNs);
  }
  while (next < qs.length) out[next++] = maxNs;
  return out;
}
