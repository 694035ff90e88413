// `tanzhen diff` in the terminal: one row per function, changed ones first.
import type { DiffReport } from '../../common/types.js';
import { cells, failures, HEADER, sides, tally } from './cells.js';

export function renderDiffTable(report: DiffReport, options: { width?: number; color?: boolean; cwd?: string } = {}): string {
  const width = options.width ?? 120;
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines = [paint('1', `tanzhen diff: ${tally(report)} (${sides(report)})`)];
  if (report.functions.length > 0) {
    const rows = report.functions.map((fn) => cells(fn, options.cwd));
    const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fixed = widths.slice(1).reduce((a, b) => a + b + 2, 0);
    widths[0] = Math.max(12, Math.min(widths[0], width - fixed));
    const format = (row: string[]) => row.map((c, i) => (i === 0 ? fit(c, widths[0]).padEnd(widths[0]) : i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    lines.push(paint('1', format(HEADER)));
    for (const [i, row] of rows.entries()) {
      const verdict = report.functions[i].verdict;
      const line = format(row);
      lines.push(verdict === 'slower' ? paint('31', line) : verdict === 'faster' ? paint('32', line) : line);
    }
  }
  for (const line of failures(report)) lines.push(paint('31', `tanzhen: regression: ${line}`));
  return lines.join('\n') + '\n';
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '…';
}
