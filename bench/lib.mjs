// Shared helpers for the bench: Node binaries, whole-process runs, statistics.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH);
export const TMP = join(BENCH, '.tmp');
export const REGISTER = join(ROOT, 'dist', 'agent', 'register.js');
export const REGISTER_URL = pathToFileURL(REGISTER).href;

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation, as a share of the median: how noisy a set of runs was. */
export function spread(xs) {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m))) / m;
}

/** The environment for a measured child: ours, without anything that would probe or preload it. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TANZHEN_') || k.startsWith('OTEL_') || k === 'NODE_OPTIONS') delete env[k];
  return { ...env, ...extra };
}

/**
 * Node binaries to measure on: this process's node plus the cached ones in
 * ~/.cache/tanzhen-node/<ver>/package/bin/node (what .ci/run downloads), one per major.
 */
export function findNodes(wanted) {
  const cache = process.env.TANZHEN_NODE_CACHE || join(homedir(), '.cache', 'tanzhen-node');
  const found = new Map();
  const add = (bin) => {
    const r = spawnSync(bin, ['-p', 'process.version'], { encoding: 'utf8' });
    if (r.status !== 0) return;
    const version = r.stdout.trim();
    const major = Number(version.slice(1).split('.')[0]);
    if (!found.has(major)) found.set(major, { major, version, bin });
  };
  add(process.execPath);
  if (existsSync(cache)) {
    for (const d of readdirSync(cache).sort()) {
      const bin = join(cache, d, 'package', 'bin', 'node');
      if (existsSync(bin)) add(bin);
    }
  }
  let nodes = [...found.values()].sort((a, b) => a.major - b.major);
  if (wanted) nodes = nodes.filter((n) => wanted.includes(n.major));
  return nodes;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

let perfWorks;
/** Whether `perf stat` can count task-clock here (a container may forbid it). */
function perfStat() {
  if (perfWorks === undefined) {
    const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', process.execPath, '-e', '0'], { encoding: 'utf8' });
    perfWorks = r.status === 0 && /task-clock/.test(r.stderr ?? '');
  }
  return perfWorks;
}

/**
 * Runs one whole process and returns its wall time (ms, measured here), its
 * peak RSS (MiB, from /usr/bin/time when present, else undefined), with
 * `cpu` the CPU time of it and its children (ms, `perf stat` task-clock, when
 * perf works here, else undefined: less disturbed than wall time by other
 * work on a shared machine) and stdout.
 */
export function runProcess(cmd, args, { env, cwd = ROOT, rss = false, cpu = false, timeout = 120_000 } = {}) {
  let file = cmd;
  let argv = args;
  let rssFile;
  let cpuFile;
  if (rss && TIME) {
    rssFile = join(mkdtempSync(join(tmpdir(), 'tzbench-')), 'rss');
    file = TIME;
    argv = ['-f', '%M', '-o', rssFile, cmd, ...args];
  }
  if (cpu && perfStat()) {
    cpuFile = join(mkdtempSync(join(tmpdir(), 'tzbench-')), 'cpu');
    argv = ['stat', '-x,', '-e', 'task-clock', '-o', cpuFile, '--', file, ...argv];
    file = 'perf';
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { env, cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let rssMiB;
  if (rssFile) {
    try {
      rssMiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
    } catch {}
    rmSync(dirname(rssFile), { recursive: true, force: true });
  }
  let cpuMs;
  if (cpuFile) {
    try {
      cpuMs = Number(/^([\d.]+),msec,task-clock/m.exec(readFileSync(cpuFile, 'utf8'))?.[1]);
    } catch {}
    rmSync(dirname(cpuFile), { recursive: true, force: true });
  }
  if (r.error || r.status !== 0) {
    const what = [cmd, ...args].join(' ');
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}${r.signal ? `, ${r.signal}` : ''}`})\n${(r.stderr ?? '').slice(-2000)}`);
  }
  return { wallMs, rssMiB, cpuMs, stdout: r.stdout, stderr: r.stderr };
}

/** The last line of stdout that is a JSON object. */
export function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) if (l.startsWith('{')) return JSON.parse(l);
  throw new Error(`no JSON in output:\n${stdout.slice(-1000)}`);
}

export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '—';
  if (Math.abs(ns) >= 1000) return `${(ns / 1000).toFixed(2)} µs`;
  return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
}

export function fmtRatio(x, digits = 2) {
  return Number.isFinite(x) ? `${x.toFixed(digits)}×` : '—';
}

export function fmtPct(x) {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '—';
}

/** A plain text table; the first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The same table as Markdown. */
export function markdownTable(rows) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  const head = `| ${rows[0].map(esc).join(' | ')} |`;
  const sep = `| ${rows[0].map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`;
  return [head, sep, ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
