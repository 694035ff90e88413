// The statistics behind `tanzhen diff`, computed on the binned latencies that
// summary.json keeps (sparse log-linear histograms, src/common/histogram.ts):
// every call in a bucket is a tie at that bucket. docs/diff.md says why these.
import { bucketRange, type SparseCounts } from '../../common/histogram.js';

export interface RankTest {
  /** Two-sided p-value. */
  p: number;
  /** P(head > base) + ½ P(head = base), estimated: 0.5 when neither tends to be larger. */
  probabilitySlower: number;
}

/**
 * Brunner–Munzel test of base against head: ranks with midranks for ties (a
 * bucket is a tie), no assumption of equal shapes or variances. O(buckets).
 */
export function brunnerMunzel(base: SparseCounts, head: SparseCounts): RankTest {
  const n1 = total(base);
  const n2 = total(head);
  const N = n1 + n2;
  // Walk both sparse lists by rising bucket, giving each bucket its midranks:
  // overall (among both samples) and within its own sample.
  const rows: Array<{ c1: number; c2: number; r: number; r1: number; r2: number }> = [];
  let i = 0;
  let j = 0;
  let below = 0;
  let below1 = 0;
  let below2 = 0;
  while (i < base.length || j < head.length) {
    const k = Math.min(i < base.length ? base[i][0] : Infinity, j < head.length ? head[j][0] : Infinity);
    const c1 = i < base.length && base[i][0] === k ? base[i++][1] : 0;
    const c2 = j < head.length && head[j][0] === k ? head[j++][1] : 0;
    rows.push({ c1, c2, r: below + (c1 + c2 + 1) / 2, r1: below1 + (c1 + 1) / 2, r2: below2 + (c2 + 1) / 2 });
    below += c1 + c2;
    below1 += c1;
    below2 += c2;
  }
  let mean1 = 0;
  let mean2 = 0;
  for (const row of rows) {
    mean1 += row.c1 * row.r;
    mean2 += row.c2 * row.r;
  }
  mean1 /= n1;
  mean2 /= n2;
  const probabilitySlower = (mean2 - (n2 + 1) / 2) / n1;
  let s1 = 0;
  let s2 = 0;
  for (const row of rows) {
    s1 += row.c1 * (row.r - row.r1 - mean1 + (n1 + 1) / 2) ** 2;
    s2 += row.c2 * (row.r - row.r2 - mean2 + (n2 + 1) / 2) ** 2;
  }
  s1 /= n1 - 1;
  s2 /= n2 - 1;
  const spread = n1 * s1 + n2 * s2;
  if (spread === 0) {
    // Every call of each side in one bucket: the same bucket (no difference) or fully apart.
    return { p: mean1 === mean2 ? 1 : 0, probabilitySlower };
  }
  const w = (n1 * n2 * (mean2 - mean1)) / (N * Math.sqrt(spread));
  const df = spread ** 2 / ((n1 * s1) ** 2 / (n1 - 1) + (n2 * s2) ** 2 / (n2 - 1));
  return { p: Math.min(1, 2 * studentTail(Math.abs(w), df)), probabilitySlower };
}

/**
 * Hodges–Lehmann estimate of the shift between the two runs on a log scale,
 * as a ratio minus one: the median over all (base, head) pairs of head/base − 1.
 * 0.1: a typical call takes 10% longer. Found by bisection, O(buckets) a step.
 */
export function typicalChange(base: SparseCounts, head: SparseCounts): number {
  const xs = base.map(([k, c]) => [logValue(k), c] as const);
  const ys = head.map(([k, c]) => [logValue(k), c] as const);
  const n1 = total(base);
  const half = (n1 * total(head)) / 2;
  // Pairs with log(head) − log(base) ≤ d: for each head bucket, the base buckets at or above log(head) − d.
  const pairsAtMost = (d: number): number => {
    let count = 0;
    let x = 0;
    let seen = 0; // base calls below log(head) − d
    for (const [y, cy] of ys) {
      while (x < xs.length && xs[x][0] < y - d) seen += xs[x++][1];
      count += cy * (n1 - seen);
    }
    return count;
  };
  let low = ys[0][0] - xs[xs.length - 1][0] - 1;
  let high = ys[ys.length - 1][0] - xs[0][0] + 1;
  for (let step = 0; step < 60 && high - low > 1e-9; step++) {
    const mid = (low + high) / 2;
    if (pairsAtMost(mid) >= half) high = mid;
    else low = mid;
  }
  return Math.expm1(high);
}

/**
 * Distribution-free confidence bounds (ns) of quantile q: the buckets holding
 * the order statistics at ranks nq ∓ z·√(nq(1−q)), the lower bucket's low end
 * and the upper bucket's high end.
 */
export function quantileBounds(counts: SparseCounts, q: number, z: number): [low: number, high: number] {
  const n = total(counts);
  const spread = z * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.max(1, Math.floor(n * q - spread));
  const highRank = Math.min(n, Math.ceil(n * q + spread) + 1);
  let seen = 0;
  let low = 0;
  for (const [k, c] of counts) {
    const before = seen;
    seen += c;
    if (before < lowRank && seen >= lowRank) low = bucketRange(k)[0];
    if (seen >= highRank) {
      const [start, width] = bucketRange(k);
      return [low, start + width];
    }
  }
  return [low, Infinity];
}

export function total(counts: SparseCounts): number {
  let n = 0;
  for (const [, c] of counts) n += c;
  return n;
}

/** z such that a standard normal is below it with probability `p`. */
export function normalQuantile(p: number): number {
  let low = -40;
  let high = 40;
  for (let step = 0; step < 100; step++) {
    const mid = (low + high) / 2;
    if (studentTail(-mid, Infinity) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Middle of a bucket, in log ns (bucket 0 holds calls under 1 ns: taken as ½ ns). */
function logValue(k: number): number {
  const [low, width] = bucketRange(k);
  return Math.log(k === 0 ? 0.5 : width === 1 ? low : low + width / 2);
}

/** P(T > t) for Student's t with `df` degrees of freedom (df = Infinity: the normal). */
export function studentTail(t: number, df: number): number {
  if (t < 0) return 1 - studentTail(-t, df);
  if (!Number.isFinite(df) || df > 1e7) return 0.5 * erfc(t / Math.SQRT2);
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Complementary error function, |error| < 1.2e-7 (Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    for (const even of [true, false]) {
      const num = even ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
      if (!even && Math.abs(d * c - 1) < 1e-12) return h;
    }
  }
  return h;
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Student's two-sample t-test with pooled variance, two-sided: for figures of
 * whole runs (one per run), where 1 run against 3 still has a variance to use.
 */
export function pooledT(xs: number[], ys: number[]): number {
  const df = xs.length + ys.length - 2;
  if (xs.length === 0 || ys.length === 0 || df < 1) return 1;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const squares = xs.reduce((a, x) => a + (x - mx) ** 2, 0) + ys.reduce((a, y) => a + (y - my) ** 2, 0);
  const variance = (squares / df) * (1 / xs.length + 1 / ys.length);
  if (variance === 0) return mx === my ? 1 : 0;
  return Math.min(1, 2 * studentTail(Math.abs(my - mx) / Math.sqrt(variance), df));
}
