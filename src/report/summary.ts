// Merges the reports of every probed process of a run into summary.json.
import { Histogram } from '../common/histogram.js';
import type { ProcessReport, Summary, SummaryFunction, Unmatched } from '../common/types.js';
import { nearest } from './suggest.js';

export interface RunInfo {
  command: string[];
  exitCode: number | null;
  signal?: string;
  /** Every target of the run, as written. */
  targets: string[];
}

export function buildSummary(reports: ProcessReport[], run: RunInfo): Summary {
  const byKey = new Map<string, { fn: SummaryFunction; histogram: Histogram }>();
  for (const report of reports) {
    for (const f of report.functions) {
      const key = `${f.file}\0${f.name}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          fn: { target: f.target, name: f.name, file: f.file, line: f.line, calls: 0, errors: 0, totalMs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
          histogram: new Histogram(),
        };
        byKey.set(key, entry);
      }
      entry.fn.calls += f.calls;
      entry.fn.errors += f.errors;
      entry.fn.totalMs += f.totalMs;
      entry.fn.maxMs = Math.max(entry.fn.maxMs, f.maxMs);
      entry.histogram.add(f.histogram);
    }
  }
  const functions = [...byKey.values()].map(({ fn, histogram }) => {
    const maxNs = fn.maxMs * 1e6;
    return {
      ...fn,
      totalMs: round(fn.totalMs),
      meanMs: fn.calls > 0 ? round(fn.totalMs / fn.calls) : 0,
      p50Ms: round(histogram.quantile(0.5, maxNs) / 1e6),
      p95Ms: round(histogram.quantile(0.95, maxNs) / 1e6),
      p99Ms: round(histogram.quantile(0.99, maxNs) / 1e6),
      maxMs: round(fn.maxMs),
    };
  });
  functions.sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));

  return {
    version: 1,
    command: run.command,
    exitCode: run.exitCode,
    ...(run.signal ? { signal: run.signal } : {}),
    processes: reports
      .slice()
      .sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid || a.threadId - b.threadId)
      .map((r) => ({ pid: r.pid, ...(r.threadId ? { threadId: r.threadId } : {}), runtime: r.runtime, runtimeVersion: r.runtimeVersion, argv: r.argv })),
    functions,
    unmatched: unmatched(reports, run.targets),
  };
}

function unmatched(reports: ProcessReport[], targets: string[]): Unmatched[] {
  const matched = new Set(reports.flatMap((r) => r.matched));
  const out: Unmatched[] = [];
  for (const target of targets) {
    if (matched.has(target)) continue;
    const names = reports.flatMap((r) => r.candidates[target] ?? []);
    const colon = target.lastIndexOf(':');
    const [module, name] = [target.slice(0, colon), target.slice(colon + 1)];
    let message: string;
    if (names.length === 0 && !reports.some((r) => target in r.candidates)) {
      message = `${module} was never loaded by the program, so ${name} was not probed`;
    } else {
      const guesses = nearest(name, names);
      message = `no function ${name} in ${module}` + (guesses.length ? `; did you mean ${guesses.join(' or ')}?` : '');
    }
    out.push({ target, message });
  }
  return out;
}

/** Microsecond precision is plenty for JSON readers. */
function round(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}
