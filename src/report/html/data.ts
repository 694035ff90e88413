// What report.html shows, as one JSON value embedded in the page: the
// summary, locations relative to the working directory, and per function a
// latency histogram binned for drawing (merged from the process reports'
// bucket counts, which summary.json does not carry).
import path from 'node:path';
import { bucketRange, Histogram } from '../../common/histogram.js';
import type { ProcessReport, Summary, SummaryFunction, TreeNode } from '../../common/types.js';

export interface Bins {
  /** n + 1 bin edges in nanoseconds, evenly spaced on a log scale. */
  edgesNs: number[];
  /** n counts (weighted by sampling, like the percentiles). */
  counts: number[];
}

export interface PageFunction extends SummaryFunction {
  /** `src/db.ts:15`, relative to the working directory when inside it. */
  where: string;
  bins: Bins;
}

export interface PageTreeNode {
  name: string;
  where: string;
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
  // Copied level by level, without recursion: a tree is as deep as the program's calls went.
  const tree = (nodes: TreeNode[]): PageTreeNode[] => {
    const page = (n: TreeNode): PageTreeNode => ({ name: n.name, where: relative(n.file), calls: n.calls, totalMs: n.totalMs, selfMs: n.selfMs, children: [] });
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
    functions: summary.functions.map((f) => ({
      ...f,
      where: relative(f.file) + (f.line !== undefined ? `:${f.line}` : ''),
      bins: binsOf(histograms.get(`${f.file}\0${f.name}`), f.maxMs * 1e6),
    })),
    tree: tree(summary.tree ?? []),
    unmatched: summary.unmatched,
    droppedSpans: summary.droppedSpans ?? 0,
    ...(summary.calibration ? { calibration: summary.calibration } : {}),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The histogram's buckets regrouped into about `maxBins` bins of equal width
 * on a log scale (finer when the values span few decades), with an empty bin
 * on each side. A bucket counts at its middle, never above the maximum, as
 * in the percentiles, so the bars and the p50/p95/p99 marks agree.
 */
export function binsOf(histogram: Histogram | undefined, maxNs = Infinity, maxBins = 40): Bins {
  if (!histogram || histogram.total === 0) return { edgesNs: [], counts: [] };
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
  const edgesNs = counts.map((_, i) => round(10 ** ((first + i) / perDecade)));
  edgesNs.push(round(10 ** ((last + 1) / perDecade)));
  return { edgesNs, counts };
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

function relativeTo(cwd: string | undefined, file: string): string {
  if (!cwd || !path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
