// Two runs' summaries compared function by function: figures of both sides,
// relative changes, and a verdict from a rank test on the latency histograms
// plus a minimum change worth reporting (docs/diff.md).
import path from 'node:path';
import type { DiffFunction, DiffReport, DiffSide, DiffVerdict, Summary, SummaryFunction } from '../../common/types.js';
import { Histogram } from '../../common/histogram.js';
import { brunnerMunzel, normalQuantile, pooledT, quantileBounds, total, typicalChange } from './stats.js';

export interface CompareOptions {
  /** Significance level of the test (default 0.01). */
  alpha: number;
  /** Smallest typical change (relative) called slower or faster (default 0.05). */
  minChange: number;
  /** Fewer timed calls than this on either side: `too few calls` (default 30). */
  minCalls: number;
}

export const DEFAULTS: CompareOptions = { alpha: 0.01, minChange: 0.05, minCalls: 30 };

export interface Labelled {
  /** As given on the command line. */
  label: string;
  /** The run, or its repeated runs merged. */
  summary: Summary;
  /** The repeated runs, when there were several: the verdicts then also test the run-to-run spread. */
  runs?: Summary[];
}

/** Sort order: what changed first, then by how much total time moved. */
const ORDER: Record<DiffVerdict, number> = { slower: 0, faster: 1, new: 2, gone: 3, unchanged: 4, 'too few calls': 5 };

export function compareRuns(base: Labelled, head: Labelled, options: CompareOptions = DEFAULTS): DiffReport {
  const headByKey = new Map(head.summary.functions.map((f) => [keyOf(f, head.summary), f]));
  const repeated = (base.runs?.length ?? 1) + (head.runs?.length ?? 1) >= 3;
  const functions: DiffFunction[] = [];
  for (const b of base.summary.functions) {
    const key = keyOf(b, base.summary);
    const h = headByKey.get(key);
    headByKey.delete(key);
    const runs = repeated ? { base: perRun(base, key), head: perRun(head, key) } : undefined;
    functions.push(h ? compareFunction(b, h, options, runs) : { ...identity(b), base: side(b), verdict: 'gone', impactMs: -b.totalMs });
  }
  for (const h of headByKey.values()) functions.push({ ...identity(h), head: side(h), verdict: 'new', impactMs: h.totalMs });
  functions.sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict] || Math.abs(y.impactMs) - Math.abs(x.impactMs) || x.name.localeCompare(y.name));
  return {
    version: 1,
    base: base.label,
    head: head.label,
    test: { name: 'brunner-munzel', alpha: options.alpha, minChange: options.minChange, minCalls: options.minCalls },
    runs: { base: base.runs?.length ?? 1, head: head.runs?.length ?? 1 },
    functions,
  };
}

/** Per run, the log of each percentile of the function (runs without it are left out). */
type RunFigures = Array<Record<'p50' | 'p95' | 'p99', number>>;

const indexes = new WeakMap<Summary, Map<string, SummaryFunction>>();

function perRun(side: Labelled, key: string): RunFigures {
  const out: RunFigures = [];
  for (const run of side.runs ?? [side.summary]) {
    let index = indexes.get(run);
    if (!index) indexes.set(run, (index = new Map(run.functions.map((x) => [keyOf(x, run), x]))));
    const f = index.get(key);
    if (!f?.histogram?.length) continue;
    const h = new Histogram();
    h.add(f.histogram);
    const log = (q: number) => Math.log(Math.max(0.5, h.quantile(q, Infinity)));
    out.push({ p50: log(0.5), p95: log(0.95), p99: log(0.99) });
  }
  return out;
}

function compareFunction(b: SummaryFunction, h: SummaryFunction, options: CompareOptions, runs?: { base: RunFigures; head: RunFigures }): DiffFunction {
  const fn: DiffFunction = { ...identity(h), base: side(b), head: side(h), verdict: 'unchanged', impactMs: round(h.totalMs - b.totalMs) };
  const baseCounts = b.histogram ?? [];
  const headCounts = h.histogram ?? [];
  const change = (x: number, y: number) => (x > 0 ? round(y / x - 1) : y > 0 ? Infinity : 0);
  const enough = total(baseCounts) >= options.minCalls && total(headCounts) >= options.minCalls;
  fn.change = {
    meanMs: change(b.meanMs, h.meanMs),
    p50Ms: change(b.p50Ms, h.p50Ms),
    p95Ms: change(b.p95Ms, h.p95Ms),
    p99Ms: change(b.p99Ms, h.p99Ms),
    shift: enough ? round(typicalChange(baseCounts, headCounts)) : 0,
  };
  if (!enough) {
    fn.verdict = 'too few calls';
    return fn;
  }
  const test = brunnerMunzel(baseCounts, headCounts);
  fn.p = test.p;
  fn.probabilitySlower = round(test.probabilitySlower);
  const z = normalQuantile(1 - options.alpha / 2);
  // With repeated runs, a difference must also stand out from how much whole runs differ among themselves.
  const runTest = (p: 'p50' | 'p95' | 'p99') => (runs ? pooledT(runs.base.map((r) => r[p]), runs.head.map((r) => r[p])) : 0);
  if (runs) fn.pRuns = runTest('p50');
  const apart = (q: number, p: 'p50' | 'p95' | 'p99') => {
    const [bLow, bHigh] = quantileBounds(baseCounts, q, z);
    const [hLow, hHigh] = quantileBounds(headCounts, q, z);
    if (runs && runTest(p) >= options.alpha) return 'overlap';
    return hLow > bHigh ? 'higher' : hHigh < bLow ? 'lower' : 'overlap';
  };
  fn.percentiles = { p50: apart(0.5, 'p50'), p95: apart(0.95, 'p95'), p99: apart(0.99, 'p99') };
  const shift = fn.change.shift;
  if (test.p < options.alpha && (fn.pRuns ?? 0) < options.alpha && Math.abs(shift) >= options.minChange) {
    // The rank test and the shift estimate agree on the direction (they may not for a change of shape only).
    if (shift > 0 && test.probabilitySlower > 0.5) fn.verdict = 'slower';
    if (shift < 0 && test.probabilitySlower < 0.5) fn.verdict = 'faster';
  }
  return fn;
}

/**
 * Functions match by target, name and file. A file inside the run's working
 * directory is compared by its path there, so a base run in one checkout and
 * a head run in another still match.
 */
function keyOf(f: SummaryFunction, summary: Summary): string {
  let file = f.file;
  if (summary.cwd && path.isAbsolute(file)) {
    const relative = path.relative(summary.cwd, file);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) file = relative.split(path.sep).join('/');
  }
  return `${f.target}\0${f.name}\0${file}`;
}

const identity = (f: SummaryFunction) => ({ target: f.target, name: f.name, file: f.file });

function side(f: SummaryFunction): DiffSide {
  return { calls: f.calls, timed: total(f.histogram ?? []), errors: f.errors, meanMs: f.meanMs, p50Ms: f.p50Ms, p95Ms: f.p95Ms, p99Ms: f.p99Ms };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
