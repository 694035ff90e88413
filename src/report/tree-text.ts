// `tanzhen report DIR --tree`: the call tree, indented, widest first.
import type { Summary, TreeNode } from '../common/types.js';
import { formatDuration } from '../common/units.js';

/** Rows deeper than this show the last KEPT_GUIDES levels' guides after a count of the others. */
const MAX_GUIDES = 30;
const KEPT_GUIDES = 10;

export function renderTree(summary: Summary, options: { width?: number } = {}): string {
  const rows: Array<[string, string, string, string]> = [];
  // Depth first with an explicit stack: a tree is as deep as the program's calls went.
  const stack: Array<{ node: TreeNode; depth: number; last: boolean }> = [];
  const push = (nodes: TreeNode[], depth: number) => {
    for (let i = nodes.length - 1; i >= 0; i--) stack.push({ node: nodes[i], depth, last: i === nodes.length - 1 });
  };
  /** guides[d]: what rows below a level-d node show in its column ('│  ' while its siblings follow). */
  const guides: string[] = [];
  push(summary.tree, 0);
  while (stack.length > 0) {
    const { node, depth, last } = stack.pop()!;
    rows.push([`${indentation(guides, depth)}${last ? '└─ ' : '├─ '}${node.name}`, String(node.calls), formatDuration(node.totalMs), formatDuration(node.selfMs)]);
    guides[depth] = last ? '   ' : '│  ';
    push(node.children, depth + 1);
  }
  if (rows.length === 0) return 'tanzhen: no calls recorded\n';
  const header: [string, string, string, string] = ['call tree', 'calls', 'total', 'self'];
  const widths = header.map((h, i) => rows.reduce((widest, r) => Math.max(widest, r[i].length), h.length));
  const width = options.width ?? 120;
  widths[0] = Math.min(widths[0], Math.max(20, width - widths.slice(1).reduce((a, b) => a + b + 2, 0) - 2));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? (c.length > widths[0] ? c.slice(0, widths[0] - 1) + '…' : c.padEnd(widths[0])) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A row's indentation; past MAX_GUIDES levels it would outgrow any terminal (and the memory of a deep tree's report). */
function indentation(guides: string[], depth: number): string {
  if (depth <= MAX_GUIDES) return guides.slice(0, depth).join('');
  return `… ${depth - KEPT_GUIDES} levels … ${guides.slice(depth - KEPT_GUIDES, depth).join('')}`;
}
