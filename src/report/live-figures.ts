// The figures of `run --live`: per function, the last interval (what each
// process recorded between its two latest reports, as rates) and the whole
// run so far, merged over every probed process. Each process writes its
// cumulative figures every flush interval; subtracting its previous report
// (counts, totals, histogram buckets) gives the interval. A process whose
// latest report is stale (it ended, or its event loop is blocked) adds
// nothing to the interval columns.
import { Histogram, type SparseCounts } from '../common/histogram.js';
import type { ReportFile } from '../common/run-dir-reader.js';
import type { FunctionRecord } from '../common/types.js';

export interface LiveRow {
  name: string;
  file: string;
  line?: number;
  /** Last interval, per second (NaN percentiles: no call in it). */
  callsPerSec: number;
  timePerSec: number;
  errorsPerSec: number;
  recentP50Ms: number;
  recentP99Ms: number;
  /** Since the start. */
  calls: number;
  errors: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LiveFrame {
  rows: LiveRow[];
  /** Processes writing reports now; stopped writing without ending (blocked, or killed); ended. */
  processes: { running: number; silent: number; ended: number };
  /** Worker threads among the running. */
  workers: number;
}

interface Cumulative {
  calls: number;
  errors: number;
  totalMs: number;
  histogram: Map<number, number>;
}

interface Interval {
  calls: number;
  errors: number;
  totalMs: number;
  histogram: SparseCounts;
}

interface ProcessState {
  writtenAt: number;
  previous: Map<string, Cumulative>;
  /** What the latest report added, and the time it covers. */
  interval: Map<string, Interval>;
  spanMs: number;
}

const keyOf = (f: { file: string; name: string }) => `${f.file}\0${f.name}`;

export class LiveFigures {
  private readonly processes = new Map<string, ProcessState>();

  /** `staleMs`: a report older than this adds nothing to the interval. */
  constructor(private readonly staleMs: number) {}

  /** Takes in the reports that changed since the last call. */
  update(changed: ReportFile[]): void {
    for (const { name, report, writtenAt } of changed) {
      const before = this.processes.get(name);
      const previous = new Map<string, Cumulative>();
      const interval = new Map<string, Interval>();
      for (const f of report.functions) {
        const key = keyOf(f);
        const now = cumulative(f);
        previous.set(key, now);
        let old = before?.previous.get(key);
        if (old && old.calls > now.calls) old = undefined; // a new process under a reused pid
        interval.set(key, subtract(now, old));
      }
      const since = before ? before.writtenAt : report.startedAt;
      this.processes.set(name, { writtenAt, previous, interval, spanMs: Math.max(1, writtenAt - since) });
    }
  }

  frame(all: ReportFile[], now: number): LiveFrame {
    const rows = new Map<string, { row: LiveRow; recent: Histogram; overall: Histogram; maxMs: number }>();
    const pids = { running: new Set<number>(), silent: new Set<number>(), ended: new Set<number>() };
    let workers = 0;
    for (const { name, report, writtenAt } of all) {
      const fresh = now - writtenAt <= this.staleMs;
      const state = fresh ? this.processes.get(name) : undefined;
      if (report.final) pids.ended.add(report.pid);
      else if (fresh) {
        pids.running.add(report.pid);
        if (report.threadId) workers++;
      } else pids.silent.add(report.pid);
      for (const f of report.functions) {
        const key = keyOf(f);
        let entry = rows.get(key);
        if (!entry) {
          const row: LiveRow = { name: f.name, file: f.file, line: f.line, callsPerSec: 0, timePerSec: 0, errorsPerSec: 0, recentP50Ms: NaN, recentP99Ms: NaN, calls: 0, errors: 0, totalMs: 0, p50Ms: 0, p99Ms: 0 };
          entry = { row, recent: new Histogram(), overall: new Histogram(), maxMs: 0 };
          rows.set(key, entry);
        }
        entry.row.calls += f.calls;
        entry.row.errors += f.errors;
        entry.row.totalMs += f.totalMs;
        entry.maxMs = Math.max(entry.maxMs, f.maxMs);
        entry.overall.add(f.histogram);
        const recent = state?.interval.get(key);
        if (state && recent) {
          const seconds = state.spanMs / 1000;
          entry.row.callsPerSec += recent.calls / seconds;
          entry.row.timePerSec += recent.totalMs / seconds;
          entry.row.errorsPerSec += recent.errors / seconds;
          entry.recent.add(recent.histogram);
        }
      }
    }
    const out: LiveRow[] = [];
    for (const { row, recent, overall, maxMs } of rows.values()) {
      const maxNs = maxMs * 1e6;
      row.p50Ms = overall.quantile(0.5, maxNs) / 1e6;
      row.p99Ms = overall.quantile(0.99, maxNs) / 1e6;
      if (recent.total > 0) {
        row.recentP50Ms = recent.quantile(0.5, maxNs) / 1e6;
        row.recentP99Ms = recent.quantile(0.99, maxNs) / 1e6;
      }
      out.push(row);
    }
    out.sort((a, b) => b.timePerSec - a.timePerSec || b.totalMs - a.totalMs || a.name.localeCompare(b.name));
    for (const pid of pids.running) pids.silent.delete(pid);
    for (const pid of [...pids.running, ...pids.silent]) pids.ended.delete(pid);
    return { rows: out, processes: { running: pids.running.size, silent: pids.silent.size, ended: pids.ended.size }, workers };
  }
}

function cumulative(f: FunctionRecord): Cumulative {
  return { calls: f.calls, errors: f.errors, totalMs: f.totalMs, histogram: new Map(f.histogram) };
}

function subtract(now: Cumulative, old: Cumulative | undefined): Interval {
  const histogram: SparseCounts = [];
  for (const [index, count] of now.histogram) {
    const added = count - (old?.histogram.get(index) ?? 0);
    if (added > 0) histogram.push([index, added]);
  }
  return {
    calls: now.calls - (old?.calls ?? 0),
    errors: now.errors - (old?.errors ?? 0),
    totalMs: Math.max(0, now.totalMs - (old?.totalMs ?? 0)),
    histogram,
  };
}
