// Merges the reports of every probed process of a run into summary.json:
// functions by (file, name), histograms bucket by bucket, call trees by path.
import { FunctionMerge, round } from './function-merge.js';
import { OTHER_CALLS, type Calibration, type ProcessReport, type Summary, type SummaryFunction, type TreeNode, type Unmatched } from '../common/types.js';
import { nearest } from './suggest.js';

export interface RunInfo {
  command: string[];
  exitCode: number | null;
  signal?: string;
  /** Every target of the run, as written. */
  targets: string[];
  /** Why some process's data may be missing (then a module not seen may still have loaded). */
  noData?: string;
  cwd?: string;
}

export function buildSummary(reports: ProcessReport[], run: RunInfo): Summary {
  return {
    version: 1,
    command: run.command,
    exitCode: run.exitCode,
    ...(run.signal ? { signal: run.signal } : {}),
    processes: reports
      .slice()
      .sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid || a.threadId - b.threadId)
      .map((r) => ({ pid: r.pid, ...(r.threadId ? { threadId: r.threadId } : {}), runtime: r.runtime, runtimeVersion: r.runtimeVersion, argv: r.argv })),
    functions: mergeFunctions(reports),
    tree: mergeTrees(reports),
    unmatched: unmatched(reports, run.targets, run.noData),
    droppedSpans: reports.reduce((sum, r) => sum + (r.spans?.dropped ?? 0), 0),
    ...treeLimit(reports),
    ...calibration(reports),
    ...(run.cwd ? { cwd: run.cwd } : {}),
  };
}

/** A process tree's "other calls" node, as the merged tree names it. */
const OTHER_NODE = { name: '(other calls)', file: '' };

function mergeFunctions(reports: ProcessReport[]): SummaryFunction[] {
  const merge = new FunctionMerge();
  for (const report of reports) for (const f of report.functions) merge.add(f, f.histogram);
  return merge.functions();
}

function mergeTrees(reports: ProcessReport[]): TreeNode[] {
  const root: TreeNode = { name: '', file: '', calls: 0, totalMs: 0, selfMs: 0, children: [] };
  const index = new Map<TreeNode, Map<string, TreeNode>>();
  const child = (parent: TreeNode, name: string, file: string): TreeNode => {
    let children = index.get(parent);
    if (!children) index.set(parent, (children = new Map()));
    const key = `${file}\0${name}`;
    let node = children.get(key);
    if (!node) {
      node = { name, file, calls: 0, totalMs: 0, selfMs: 0, children: [] };
      children.set(key, node);
      parent.children.push(node);
    }
    return node;
  };
  for (const report of reports) {
    const merged: TreeNode[] = [];
    (report.tree ?? []).forEach((n, i) => {
      const f = n.fn === OTHER_CALLS ? OTHER_NODE : report.functions[n.fn];
      if (!f) return;
      const parent = n.parent < 0 ? root : merged[n.parent];
      if (!parent) return;
      const node = child(parent, f.name, f.file);
      node.calls += n.calls;
      node.totalMs += n.totalMs;
      node.selfMs += n.selfMs;
      merged[i] = node;
    });
  }
  // In place and without recursion (a tree is as deep as the program's calls went):
  // nodes that never ended drop out with their subtree, figures round, widest first.
  const pending: TreeNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    node.children = node.children.filter((n) => n.calls > 0);
    for (const child of node.children) {
      child.totalMs = round(child.totalMs);
      child.selfMs = round(child.selfMs);
      pending.push(child);
    }
    node.children.sort((a, b) => b.totalMs - a.totalMs);
  }
  return root.children;
}

function treeLimit(reports: ProcessReport[]): { treeLimit?: number } {
  const limits = reports.map((r) => r.treeLimit).filter((n): n is number => typeof n === 'number');
  return limits.length > 0 ? { treeLimit: Math.min(...limits) } : {};
}

function calibration(reports: ProcessReport[]): { calibration?: Calibration } {
  const measured = reports.map((r) => r.calibration).filter((c): c is Calibration => c !== undefined);
  if (measured.length === 0) return {};
  const overheads = measured.map((c) => c.overheadNs).sort((a, b) => a - b);
  return { calibration: { overheadNs: overheads[overheads.length >> 1], method: measured[0].method } };
}

function unmatched(reports: ProcessReport[], targets: string[], noData?: string): Unmatched[] {
  const matched = new Set(reports.flatMap((r) => r.matched));
  const out: Unmatched[] = [];
  for (const target of targets) {
    if (matched.has(target)) continue;
    const names = reports.flatMap((r) => r.candidates[target] ?? []);
    const colon = target.lastIndexOf(':');
    const [module, name] = [target.slice(0, colon), target.slice(colon + 1)];
    let message: string;
    const unprobed = reports.find((r) => r.unprobed?.[target])?.unprobed?.[target];
    if (unprobed) {
      message = `${module} was loaded but ${unprobed}, so ${name} was not probed`;
    } else if (names.length === 0 && !reports.some((r) => target in r.candidates)) {
      message = noData ? `no data for ${module}: ${noData.replace(/^no data: /, "")}` : `${module} was never loaded by the program, so ${name} was not probed${bundleHint(module)}`;
    } else {
      const guesses = nearest(name, names);
      message = `no function ${name} in ${module}` + (guesses.length ? `; did you mean ${guesses.join(' or ')}?` : '');
    }
    out.push({ target, message });
  }
  return out;
}

/**
 * A source file no loaded file's map named either (the agent reads the maps, src/agent/instrument/bundle-map.ts):
 * the program may run a bundle built without one.
 */
function bundleHint(module: string): string {
  return /^\.{0,2}\//.test(module) && !module.endsWith('.py') ? '; if the program runs a bundle, build it with source maps' : '';
}
