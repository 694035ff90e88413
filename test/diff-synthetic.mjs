// Synthetic runs for the diff tests and scripts/diff-false-positives.mjs:
// summaries whose latencies are drawn from a known distribution (seeded, so
// every run of the tests sees the same numbers), histogrammed exactly as the
// probe does it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bucketOf, Histogram } from '../dist/common/histogram.js';

/** A small seeded generator (mulberry32): reproducible draws. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Durations (ns) of `calls` calls: log-normal around `medianNs` with spread
 * `sigma`, plus a tail of 2% slow calls (ten times longer: a GC pause, a
 * context switch), all multiplied by `scale`.
 */
export function draw(rand, { calls = 10_000, medianNs = 1e6, sigma = 0.25, scale = 1 } = {}) {
  const out = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const slow = rand() < 0.02 ? 10 : 1;
    out[i] = Math.round(medianNs * Math.exp(sigma * z) * slow * scale);
  }
  return out;
}

/** A summary.json holding one function per entry of `fns` ({ name, durations }). */
export function summaryOf(fns) {
  return {
    version: 1,
    command: ['node', 'synthetic.js'],
    exitCode: 0,
    processes: [{ pid: 1, runtime: 'node', runtimeVersion: 'v0', argv: [] }],
    functions: fns.map(({ name, durations, errors = 0 }) => {
      const counts = new Map();
      let totalNs = 0;
      let maxNs = 0;
      for (const ns of durations) {
        const k = bucketOf(ns);
        counts.set(k, (counts.get(k) ?? 0) + 1);
        totalNs += ns;
        maxNs = Math.max(maxNs, ns);
      }
      const h = new Histogram();
      h.add([...counts]);
      const ms = (ns) => Math.round(ns) / 1e6;
      return {
        target: './synthetic.js:*',
        name,
        file: '/synthetic.js',
        calls: durations.length,
        errors,
        totalMs: ms(totalNs),
        selfMs: ms(totalNs),
        maxMs: ms(maxNs),
        meanMs: durations.length ? ms(totalNs / durations.length) : 0,
        p50Ms: ms(h.quantile(0.5, maxNs)),
        p95Ms: ms(h.quantile(0.95, maxNs)),
        p99Ms: ms(h.quantile(0.99, maxNs)),
        histogram: h.sparse(),
      };
    }),
    tree: [],
    unmatched: [],
    droppedSpans: 0,
  };
}

/** Writes `summary` as DIR/summary.json (an out directory as tanzhen diff reads it). */
export function writeRun(dir, summary) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}
