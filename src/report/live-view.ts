// The screen of `run --live`, as lines: a title with the command, the time
// and the processes, then the functions by time in the last interval, with
// rates and percentiles for that interval and for the run so far. Pure: the
// launcher (launcher/live/) draws it. Columns drop, least useful first, when
// the terminal is narrow; rows beyond the height are counted, not shown.
import { formatDuration } from '../common/units.js';
import type { LiveFrame, LiveRow } from './live-figures.js';
import { fit, label } from './table.js';

export interface LiveViewOptions {
  command: string[];
  elapsedMs: number;
  width: number;
  /** Lines available, all of them used (blank ones at the end). */
  height: number;
  color: boolean;
  cwd?: string;
  /** Whether the view reads keys (`q`). */
  keys: boolean;
  /** The first report is not there yet. */
  waiting: boolean;
}

type Column = { title: string; group: 'recent' | 'overall'; get: (r: LiveRow) => string; keep: number };

/** `keep`: columns with the highest values are dropped first on a narrow terminal. */
const COLUMNS: Column[] = [
  { title: 'calls/s', group: 'recent', get: (r) => rate(r.callsPerSec), keep: 1 },
  { title: 'time/s', group: 'recent', get: (r) => (r.timePerSec > 0 ? formatDuration(r.timePerSec) : '-'), keep: 2 },
  { title: 'p50', group: 'recent', get: (r) => duration(r.recentP50Ms), keep: 6 },
  { title: 'p99', group: 'recent', get: (r) => duration(r.recentP99Ms), keep: 3 },
  { title: 'err/s', group: 'recent', get: (r) => rate(r.errorsPerSec), keep: 7 },
  { title: 'calls', group: 'overall', get: (r) => String(r.calls), keep: 4 },
  { title: 'total', group: 'overall', get: (r) => formatDuration(r.totalMs), keep: 5 },
  { title: 'p50', group: 'overall', get: (r) => duration(r.p50Ms), keep: 9 },
  { title: 'p99', group: 'overall', get: (r) => duration(r.p99Ms), keep: 10 },
  { title: 'errors', group: 'overall', get: (r) => String(r.errors), keep: 8 },
];

const NAME_MIN = 16;
const GROUPS = { recent: 'last interval', overall: 'since start' };

export function renderLiveView(frame: LiveFrame, options: LiveViewOptions): string[] {
  const { width, height } = options;
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (options.color ? `\x1b[2m${s}\x1b[22m` : s);
  const lines: string[] = [];

  const { running, silent, ended } = frame.processes;
  const counts = [`${running} process${running === 1 ? '' : 'es'}`];
  if (frame.workers) counts.push(`${frame.workers} worker${frame.workers === 1 ? '' : 's'}`);
  if (ended) counts.push(`${ended} ended`);
  if (silent) counts.push(`${silent} silent`);
  const title = `tanzhen live · ${clock(options.elapsedMs)} · ${counts.join(', ')} · ${options.command.join(' ')}`;
  const help = options.keys && width >= 80 ? '  q: close view, Ctrl-C: interrupt the program' : '';
  lines.push(bold(fit(title, Math.max(1, width - help.length))) + dim(help));

  // Title, group names, column names, rows, and a last line for what did not fit.
  const fits = liveRowsShown(frame.rows.length, height);
  const rows = frame.rows.slice(0, fits);
  const cells = rows.map((r) => COLUMNS.map((c) => c.get(r)));
  const labels = rows.map((r) => label(r, options.cwd));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const shown = COLUMNS.map((_, i) => i);
  const room = () => shown.reduce((sum, i) => sum + widths[i] + 2, 0);
  // Narrow terminal: drop the least useful column until the function names get NAME_MIN.
  while (shown.length > 1 && width - room() < NAME_MIN) {
    const drop = shown.reduce((worst, i) => (COLUMNS[i].keep > COLUMNS[worst].keep ? i : worst), shown[0]);
    shown.splice(shown.indexOf(drop), 1);
  }
  const nameWidth = Math.max(NAME_MIN, Math.min(width - room(), Math.max(8, ...labels.map((l) => l.length))));
  const row = (name: string, values: string[]) => fit(name, nameWidth).padEnd(nameWidth) + shown.map((i) => '  ' + values[i].padStart(widths[i])).join('');

  // Over each group of columns, its name (when it fits).
  let groups = ' '.repeat(nameWidth);
  for (const group of ['recent', 'overall'] as const) {
    const span = shown.filter((i) => COLUMNS[i].group === group).reduce((sum, i) => sum + widths[i] + 2, 0);
    if (span === 0) continue;
    const text = GROUPS[group].length + 2 <= span ? GROUPS[group] : '';
    groups += ' '.repeat(2) + text.padStart(Math.floor((span - 2 + text.length) / 2)).padEnd(span - 2);
  }
  lines.push(dim(groups.trimEnd()));
  lines.push(bold(row('function', COLUMNS.map((c) => c.title))));

  for (let i = 0; i < fits; i++) {
    const text = row(labels[i], cells[i]);
    lines.push(rows[i].callsPerSec > 0 ? text : dim(text));
  }
  if (fits < frame.rows.length) lines.push(dim(`… ${frame.rows.length - fits} more function${frame.rows.length - fits === 1 ? '' : 's'}`));
  else if (frame.rows.length === 0) lines.push(dim(options.waiting ? 'waiting for the first figures (each process writes them every flush interval)' : 'no function probed yet'));
  while (lines.length < height) lines.push('');
  return lines.slice(0, height);
}

/** How many of `count` rows a view of `height` lines shows (the figures compute percentiles for these only). */
export function liveRowsShown(count: number, height: number): number {
  const room = Math.max(0, height - 3);
  return count <= room ? count : Math.max(0, room - 1);
}

function rate(perSecond: number): string {
  if (perSecond === 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

function duration(ms: number): string {
  return Number.isNaN(ms) ? '-' : formatDuration(ms);
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}
