// The cells both diff renderings show: the same words in the terminal and in a pull-request comment.
import path from 'node:path';
import type { DiffFunction, DiffReport, DiffSide } from '../../common/types.js';
import { formatDuration } from '../../common/units.js';

export const METRICS: Array<[string, 'p50Ms' | 'p95Ms' | 'p99Ms' | 'meanMs']> = [
  ['p50', 'p50Ms'],
  ['p95', 'p95Ms'],
  ['p99', 'p99Ms'],
  ['mean', 'meanMs'],
];

export const HEADER = ['function', 'verdict', 'calls', ...METRICS.map(([name]) => name)];

export function cells(fn: DiffFunction, cwd?: string): string[] {
  return [label(fn, cwd), fn.verdict, pair(fn, (s) => String(s.calls)), ...METRICS.map(([, key]) => metric(fn, key))];
}

/** `1.00 ms → 1.10 ms +10%`; one side only for new and gone functions. */
function metric(fn: DiffFunction, key: 'p50Ms' | 'p95Ms' | 'p99Ms' | 'meanMs'): string {
  const text = pair(fn, (s) => formatDuration(s[key]));
  const change = fn.change?.[key];
  return change === undefined ? text : `${text} ${percent(change)}`;
}

function pair(fn: DiffFunction, show: (side: DiffSide) => string): string {
  return `${fn.base ? show(fn.base) : '-'} → ${fn.head ? show(fn.head) : '-'}`;
}

export function percent(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞' : '';
  const value = change * 100;
  const digits = Math.abs(value) < 10 ? 1 : 0;
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}%`;
}

/** `work (lib/app.js:3)`: relative to the working directory when inside it. */
export function label(fn: DiffFunction, cwd = process.cwd()): string {
  if (fn.file.startsWith('node:')) return `${fn.name} (${fn.file})`;
  const relative = path.relative(cwd, fn.file);
  return `${fn.name} (${relative.startsWith('..') || path.isAbsolute(relative) ? fn.file : relative})`;
}

/** `base runs/base (3 runs), head runs/head (3 runs)`. */
export function sides(report: DiffReport): string {
  const runs = (n: number) => (n > 1 ? ` (${n} runs)` : '');
  return `base ${report.base}${runs(report.runs.base)}, head ${report.head}${runs(report.runs.head)}`;
}

/** `2 slower, 1 new, 14 unchanged`. */
export function tally(report: DiffReport): string {
  const counts = new Map<string, number>();
  for (const fn of report.functions) counts.set(fn.verdict, (counts.get(fn.verdict) ?? 0) + 1);
  if (counts.size === 0) return 'no functions in either run';
  return [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
}

/** One line per broken --fail-on rule. */
export function failures(report: DiffReport): string[] {
  return (report.failOn?.failed ?? []).map((f) => {
    const fn = report.functions.find((x) => x.target === f.target && x.name === f.name && x.file === f.file)!;
    return `${label(fn)}: ${f.rule}`;
  });
}
