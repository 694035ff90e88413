// Per-function figures added up across process reports (summary.json) or
// across whole runs (`tanzhen report A B`): counts and times add, histograms
// add bucket by bucket, and the percentiles come from the merged histogram.
import { Histogram, type SparseCounts } from '../common/histogram.js';
import type { FunctionFigures, SummaryFunction } from '../common/types.js';

export class FunctionMerge {
  private readonly byKey = new Map<string, { fn: SummaryFunction; histogram: Histogram }>();

  /** Functions are the same when their file and name are. */
  add(f: FunctionFigures, histogram: SparseCounts): void {
    const key = `${f.file}\0${f.name}`;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const fn: SummaryFunction = { target: f.target, name: f.name, file: f.file, line: f.line, calls: 0, errors: 0, totalMs: 0, selfMs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
      entry = { fn, histogram: new Histogram() };
      this.byKey.set(key, entry);
    }
    const fn = entry.fn;
    fn.calls += f.calls;
    fn.errors += f.errors;
    fn.totalMs += f.totalMs;
    fn.selfMs += f.selfMs ?? f.totalMs;
    fn.maxMs = Math.max(fn.maxMs, f.maxMs);
    if (f.sampleEvery) fn.sampleEvery = Math.max(fn.sampleEvery ?? 1, f.sampleEvery);
    if (f.probedBy && fn.probedBy !== 'wrapper') fn.probedBy = f.probedBy; // Python: a wrapper anywhere, say so
    if (f.unfinished) fn.unfinished = (fn.unfinished ?? 0) + f.unfinished;
    entry.histogram.add(histogram);
  }

  /** The summary rows, the most total time first. */
  functions(): SummaryFunction[] {
    const functions = [...this.byKey.values()].map(({ fn, histogram }) => {
      const maxNs = fn.maxMs * 1e6;
      return {
        ...fn,
        totalMs: round(fn.totalMs),
        selfMs: round(fn.selfMs),
        meanMs: fn.calls > 0 ? round(fn.totalMs / fn.calls) : 0,
        p50Ms: round(histogram.quantile(0.5, maxNs) / 1e6),
        p95Ms: round(histogram.quantile(0.95, maxNs) / 1e6),
        p99Ms: round(histogram.quantile(0.99, maxNs) / 1e6),
        maxMs: round(fn.maxMs),
        histogram: histogram.sparse(),
      };
    });
    return functions.sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
  }
}

/** Nanosecond precision is plenty for JSON readers. */
export function round(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}
