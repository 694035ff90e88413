// `tanzhen report DIR1 DIR2 …`: several runs of the same program (repeated CI
// runs) as one summary. Histograms add bucket by bucket, so the merged
// percentiles are those of all the calls together, exactly as for one run.
import type { Summary, TreeNode } from '../common/types.js';
import { FunctionMerge, round } from './function-merge.js';

export class MergeError extends Error {}

export function mergeSummaries(summaries: Summary[]): Summary {
  const [first] = summaries;
  const merge = new FunctionMerge();
  for (const summary of summaries) {
    for (const f of summary.functions) {
      if (f.histogram === undefined && f.calls > 0) throw new MergeError(`${f.name}: this summary has no latency histograms (written by an older tanzhen); merge the out directories instead`);
      merge.add(f, f.histogram ?? []);
    }
  }
  // Unmatched in every run: still unmatched together.
  const unmatched = first.unmatched.filter((u) => summaries.every((s) => s.unmatched.some((v) => v.target === u.target)));
  const failed = summaries.find((s) => s.exitCode !== 0 || s.signal);
  return {
    version: 1,
    command: first.command,
    exitCode: failed ? failed.exitCode : 0,
    ...(failed?.signal ? { signal: failed.signal } : {}),
    processes: summaries.flatMap((s) => s.processes),
    functions: merge.functions(),
    tree: mergeTrees(summaries.map((s) => s.tree ?? [])),
    unmatched,
    droppedSpans: summaries.reduce((sum, s) => sum + (s.droppedSpans ?? 0), 0),
    ...treeLimit(summaries),
    ...(first.calibration ? { calibration: first.calibration } : {}),
    ...(first.cwd ? { cwd: first.cwd } : {}),
  };
}

/** Trees merge by path (name and file at each level), without recursion: a tree is as deep as the program's calls. */
function mergeTrees(trees: TreeNode[][]): TreeNode[] {
  const root: TreeNode = { name: '', file: '', calls: 0, totalMs: 0, selfMs: 0, children: [] };
  const index = new Map<TreeNode, Map<string, TreeNode>>();
  const pending: Array<[into: TreeNode, from: TreeNode[]]> = trees.map((t) => [root, t]);
  while (pending.length > 0) {
    const [into, from] = pending.pop()!;
    for (const node of from) {
      let children = index.get(into);
      if (!children) index.set(into, (children = new Map()));
      const key = `${node.file}\0${node.name}`;
      let target = children.get(key);
      if (!target) {
        target = { name: node.name, file: node.file, calls: 0, totalMs: 0, selfMs: 0, children: [] };
        children.set(key, target);
        into.children.push(target);
      }
      target.calls += node.calls;
      target.totalMs = round(target.totalMs + node.totalMs);
      target.selfMs = round(target.selfMs + node.selfMs);
      pending.push([target, node.children]);
    }
  }
  const sorting: TreeNode[] = [root];
  while (sorting.length > 0) {
    const node = sorting.pop()!;
    node.children.sort((a, b) => b.totalMs - a.totalMs);
    sorting.push(...node.children);
  }
  return root.children;
}

function treeLimit(summaries: Summary[]): { treeLimit?: number } {
  const limits = summaries.map((s) => s.treeLimit).filter((n): n is number => typeof n === 'number');
  return limits.length > 0 ? { treeLimit: Math.min(...limits) } : {};
}
