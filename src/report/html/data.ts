// What report.html shows, as one JSON value embedded in the page: the
// summary, locations relative to the working directory, and per function a
// latency histogram binned for drawing (merged from the process reports'
// bucket counts, which summary.json does not carry).
import path from 'node:path';
import { bucketRange, Histogram } from '../../common/histogram.js';
import type { ProcessReport, Summary, TreeNode } from '../../common/types.js';

export interface Bins {
  /** Bin i spans 10^((first + i) / perDecade) to 10^((first + i + 1) / perDecade) ns: the page computes the edges. */
  first: number;
  perDecade: number;
  /** Counts per bin (weighted by sampling, like the percentiles); empty when nothing was timed. */
  counts: number[];
}

/**
 * A function's row: the summary's figures without what the page does not
 * show (target, absolute file). Figures that are 0 and empty bins are left
 * out (most functions of a `*` run are never called); the page puts them back.
 */
export interface PageFunction {
  name: string;
  /** `src/db.ts:15`, relative to the working directory when inside it. */
  where: string;
  calls?: number;
  errors?: number;
  totalMs?: number;
  selfMs?: number;
  meanMs?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  sampleEvery?: number;
  unfinished?: number;
  bins?: Bins;
}

/** A call-tree node names its function by index into `functions` (a tree repeats names many times over), or by name when it has no row. */
export interface PageTreeNode {
  fn?: number;
  name?: string;
  where?: string;
  calls: number;
  totalMs: number;
  selfMs: number;
  children: PageTreeNode[];
}

export interface PageData {
  command: string[];
  exitCode: number | null;
  signal?: string;
  processes: Summary['processes'];
  functions: PageFunction[];
  tree: PageTreeNode[];
  unmatched: Summary['unmatched'];
  droppedSpans: number;
  calibration?: Summary['calibration'];
  generatedAt: string;
}

export function pageData(summary: Summary, reports: ProcessReport[], options: { cwd?: string; now?: Date } = {}): PageData {
  const histograms = new Map<string, Histogram>();
  for (const report of reports) {
    for (const f of report.functions) {
      const key = `${f.file}\0${f.name}`;
      let h = histograms.get(key);
      if (!h) histograms.set(key, (h = new Histogram()));
      h.add(f.histogram ?? []);
    }
  }
  const relative = (file: string) => relativeTo(options.cwd, file);
  const functions: PageFunction[] = summary.functions.map((f) =>
    compact({
      name: f.name,
      where: relative(f.file) + (f.line !== undefined ? `:${f.line}` : ''),
      calls: f.calls,
      errors: f.errors,
      totalMs: f.totalMs,
      selfMs: f.selfMs,
      meanMs: f.meanMs,
      p50Ms: f.p50Ms,
      p95Ms: f.p95Ms,
      p99Ms: f.p99Ms,
      maxMs: f.maxMs,
      sampleEvery: f.sampleEvery,
      unfinished: f.unfinished,
      bins: binsOf(histograms.get(`${f.file}\0${f.name}`), f.maxMs * 1e6),
    }),
  );
  const index = new Map(summary.functions.map((f, i) => [`${f.file}\0${f.name}`, i]));
  // Copied level by level, without recursion: a tree is as deep as the program's calls went.
  // A node whose function has no row (the "(other calls)" of a capped tree) carries its own name.
  const tree = (nodes: TreeNode[]): PageTreeNode[] => {
    const page = (n: TreeNode): PageTreeNode => {
      const fn = index.get(`${n.file}\0${n.name}`);
      const who = fn !== undefined ? { fn } : { name: n.name, where: relative(n.file) };
      return { ...who, calls: n.calls, totalMs: n.totalMs, selfMs: n.selfMs, children: [] };
    };
    const top = nodes.map(page);
    const pending = nodes.map((node, i) => ({ node, copy: top[i] }));
    while (pending.length > 0) {
      const { node, copy } = pending.pop()!;
      for (const child of node.children) {
        const childCopy = page(child);
        copy.children.push(childCopy);
        pending.push({ node: child, copy: childCopy });
      }
    }
    return top;
  };
  return {
    command: summary.command,
    exitCode: summary.exitCode,
    ...(summary.signal ? { signal: summary.signal } : {}),
    processes: summary.processes,
    functions,
    tree: tree(summary.tree ?? []),
    unmatched: summary.unmatched,
    droppedSpans: summary.droppedSpans ?? 0,
    ...(summary.calibration ? { calibration: summary.calibration } : {}),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/** The row without its zero figures and empty bins. */
function compact(f: PageFunction): PageFunction {
  const row = f as unknown as Record<string, unknown>;
  for (const key of Object.keys(row)) {
    if (row[key] === 0 || row[key] === undefined) delete row[key];
  }
  if (f.bins && f.bins.counts.length === 0) delete f.bins;
  return f;
}

/**
 * The histogram's buckets regrouped into about `maxBins` bins of equal width
 * on a log scale (finer when the values span few decades), with an empty bin
 * on each side. A bucket counts at its middle, never above the maximum, as
 * in the percentiles, so the bars and the p50/p95/p99 marks agree.
 */
export function binsOf(histogram: Histogram | undefined, maxNs = Infinity, maxBins = 40): Bins {
  if (!histogram || histogram.total === 0) return { first: 0, perDecade: 1, counts: [] };
  const values: Array<[number, number]> = [];
  for (const [index, count] of histogram.counts) {
    const [low, width] = bucketRange(index);
    values.push([Math.max(1, Math.min(width === 1 ? low : low + width / 2, maxNs)), count]);
  }
  const logs = values.map(([v]) => Math.log10(v));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const perDecade = Math.max(1, Math.min(60, Math.floor(maxBins / Math.max(0.25, hi - lo))));
  const first = Math.floor(lo * perDecade) - 1;
  const last = Math.floor(hi * perDecade) + 1;
  const counts = new Array<number>(last - first + 1).fill(0);
  values.forEach(([, count], i) => (counts[Math.floor(logs[i] * perDecade) - first] += count));
  return { first, perDecade, counts };
}

function relativeTo(cwd: string | undefined, file: string): string {
  if (!cwd || !path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
