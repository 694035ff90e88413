// `tanzhen report DIR --tree`: the call tree, indented, widest first.
import type { Summary, TreeNode } from '../common/types.js';
import { formatDuration } from '../common/units.js';

export function renderTree(summary: Summary, options: { width?: number } = {}): string {
  const rows: Array<[string, string, string, string]> = [];
  const walk = (nodes: TreeNode[], prefix: string) => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      rows.push([`${prefix}${last ? '└─ ' : '├─ '}${node.name}`, String(node.calls), formatDuration(node.totalMs), formatDuration(node.selfMs)]);
      walk(node.children, prefix + (last ? '   ' : '│  '));
    });
  };
  walk(summary.tree, '');
  if (rows.length === 0) return 'tanzhen: no calls recorded\n';
  const header: [string, string, string, string] = ['call tree', 'calls', 'total', 'self'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const width = options.width ?? 120;
  widths[0] = Math.min(widths[0], Math.max(20, width - widths.slice(1).reduce((a, b) => a + b + 2, 0) - 2));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? (c.length > widths[0] ? c.slice(0, widths[0] - 1) + '…' : c.padEnd(widths[0])) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
