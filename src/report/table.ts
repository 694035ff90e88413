// The summary as a terminal table: human units, fitted to the width of the
// terminal, colour only on a TTY and never with NO_COLOR. Only the top rows
// (25 by total time unless asked otherwise): a `*` run probes thousands of
// functions, most never called, and those are only counted.
import path from 'node:path';
import type { Summary, SummaryFunction } from '../common/types.js';
import { formatDuration } from '../common/units.js';

/** `--sort`: the column the rows are ordered by, largest first. */
export const TABLE_SORTS = ['total', 'self', 'calls', 'p99', 'errors'] as const;
export type TableSort = (typeof TABLE_SORTS)[number];
export const DEFAULT_TOP = 25;

export interface TableOptions {
  width?: number;
  color?: boolean;
  cwd?: string;
  /** How many called functions to list (`--top`); default 25. */
  top?: number | 'all';
  sort?: TableSort;
  /** summary.json and report.html hold every function: the line about the rest points there. */
  saved?: boolean;
}

const SORT_KEY: Record<TableSort, (f: SummaryFunction) => number> = {
  total: (f) => f.totalMs,
  self: (f) => f.selfMs,
  calls: (f) => f.calls,
  p99: (f) => f.p99Ms,
  errors: (f) => f.errors,
};

const NUMERIC: Array<[string, (f: SummaryFunction) => string]> = [
  ['calls', (f) => String(f.calls)],
  ['errors', (f) => String(f.errors)],
  ['total', (f) => formatDuration(f.totalMs)],
  ['self', (f) => formatDuration(f.selfMs)],
  ['mean', (f) => formatDuration(f.meanMs)],
  ['p50', (f) => formatDuration(f.p50Ms)],
  ['p95', (f) => formatDuration(f.p95Ms)],
  ['p99', (f) => formatDuration(f.p99Ms)],
  ['max', (f) => formatDuration(f.maxMs)],
];

export function renderTable(summary: Summary, options: TableOptions = {}): string {
  const width = options.width ?? 100;
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (options.color ? `\x1b[2m${s}\x1b[22m` : s);
  const lines: string[] = [];
  const processes = summary.processes.length;
  lines.push(bold(`tanzhen: ${summary.functions.length} function${summary.functions.length === 1 ? '' : 's'} probed in ${processes} process${processes === 1 ? '' : 'es'}`));

  const called = summary.functions.filter((f) => f.calls > 0);
  const key = SORT_KEY[options.sort ?? 'total'];
  called.sort((a, b) => key(b) - key(a) || b.totalMs - a.totalMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const top = options.top === 'all' ? called.length : Math.max(0, options.top ?? DEFAULT_TOP);
  const shown = called.slice(0, top);
  if (shown.length > 0) {
    const rows = shown.map((f) => [label(f, options.cwd), ...NUMERIC.map(([, get]) => get(f))]);
    const header = ['function', ...NUMERIC.map(([name]) => name)];
    const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
    const fixed = widths.slice(1).reduce((a, b) => a + b + 2, 0);
    widths[0] = Math.max(12, Math.min(widths[0], width - fixed - 2));
    const format = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? fit(c, widths[0]).padEnd(widths[0]) : c.padStart(widths[i]))).join('  ');
    lines.push(bold(format(header)));
    for (const row of rows) lines.push(format(row));
  }
  const more = called.length - shown.length;
  if (more > 0) lines.push(dim(`… ${more} more function${more === 1 ? '' : 's'}${options.saved ? ' (summary.json, report.html)' : ''}; --top N or --top all`));
  const never = summary.functions.length - called.length;
  if (never > 0) lines.push(dim(`${never} probed function${never === 1 ? ' was' : 's were'} never called`));
  for (const f of called) {
    if (f.unfinished) lines.push(dim(`tanzhen: unfinished ${f.name}: ${f.unfinished} call${f.unfinished === 1 ? '' : 's'} still running at exit (process.exit() inside it, or an await that never resumed), timed until the exit`));
  }
  for (const u of summary.unmatched) lines.push(dim(`tanzhen: unmatched ${u.target}: ${u.message}`));
  return lines.join('\n') + '\n';
}

/** `sleep (hello.js:3)`: the name, where it is defined, relative when inside the working directory. */
export function label(f: Pick<SummaryFunction, 'name' | 'file' | 'line'>, cwd = process.cwd()): string {
  if (f.file.startsWith('node:')) return `${f.name} (${f.file})`;
  const relative = path.relative(cwd, f.file);
  const where = relative.startsWith('..') ? f.file : relative;
  return `${f.name} (${where}${f.line ? `:${f.line}` : ''})`;
}

/** Over-long labels lose the middle of their location first, then the end of the name. */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  const open = text.indexOf(' (');
  if (open > 0 && open + 8 < width) {
    const location = text.slice(open + 2, -1);
    const room = width - open - 4;
    return `${text.slice(0, open)} (…${location.slice(location.length - room + 1)})`;
  }
  return text.slice(0, width - 1) + '…';
}
