// The figures of `run --live`: per function, the last interval (what each
// process recorded between its two latest reports, as rates) and the whole
// run so far, merged over every probed process. Each process writes its
// cumulative figures every flush interval; its previous report subtracted
// (counts, totals, histogram buckets) gives the interval. A process whose
// latest report is stale (it ended, or its event loop is blocked) adds
// nothing to the interval columns. Recomputed every second in the launcher:
// plain sums for every function, histograms only for the rows shown.
import { addSparse, denseCounts, denseQuantiles } from '../common/histogram.js';
import type { FunctionRecord, ProcessReport } from '../common/types.js';

/** A process's latest report, keyed `<pid>-<threadId>`, and when it was written (epoch ms). */
export interface ReportFile {
  key: string;
  report: ProcessReport;
  writtenAt: number;
}

export interface LiveRow {
  name: string;
  file: string;
  line?: number;
  /** Last interval, per second (NaN percentiles: no call in it, or not computed: row not shown). */
  callsPerSec: number;
  timePerSec: number;
  errorsPerSec: number;
  recentP50Ms: number;
  recentP99Ms: number;
  /** Since the start. */
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LiveFrame {
  /** Every function, busiest in the last interval first. */
  rows: LiveRow[];
  /** Processes writing reports now; stopped writing without ending (blocked, or killed); ended. */
  processes: { running: number; silent: number; ended: number };
  /** Worker threads among the running. */
  workers: number;
}

interface ProcessState {
  report: ProcessReport;
  writtenAt: number;
  /** Time between the two latest reports (or since the process started). */
  spanMs: number;
  current: Map<string, FunctionRecord>;
  previous?: Map<string, FunctionRecord>;
}

const keyOf = (f: { file: string; name: string }) => `${f.file}\0${f.name}`;
const QUANTILES = [0.5, 0.99];

export class LiveFigures {
  private readonly processes = new Map<string, ProcessState>();
  private readonly overall = denseCounts();
  private readonly recent = denseCounts();
  private all: ReportFile[] = [];

  /** `staleMs`: a report older than this adds nothing to the interval. */
  constructor(private readonly staleMs: number) {}

  /** Takes in the latest reports (a rewritten report is a new object); returns those that changed. */
  update(all: ReportFile[]): ProcessReport[] {
    this.all = all;
    const changed: ProcessReport[] = [];
    for (const { key, report, writtenAt } of all) {
      const before = this.processes.get(key);
      if (before?.report === report) continue;
      changed.push(report);
      const current = new Map(report.functions.map((f) => [keyOf(f), f]));
      const since = before ? before.writtenAt : report.startedAt;
      this.processes.set(key, { report, writtenAt, spanMs: Math.max(1, writtenAt - since), current, previous: before?.current });
    }
    return changed;
  }

  /** The figures now; percentiles only for the first `shown` rows. */
  frame(now: number, shown: number): LiveFrame {
    const rows = new Map<string, LiveRow>();
    const fresh: ProcessState[] = [];
    const stale: ProcessState[] = [];
    const pids = { running: new Set<number>(), silent: new Set<number>(), ended: new Set<number>() };
    let workers = 0;
    for (const { key, report, writtenAt } of this.all) {
      const state = this.processes.get(key);
      const isFresh = now - writtenAt <= this.staleMs;
      if (report.final) pids.ended.add(report.pid);
      else if (isFresh) {
        pids.running.add(report.pid);
        if (report.threadId) workers++;
      } else pids.silent.add(report.pid);
      if (!state) continue;
      (isFresh ? fresh : stale).push(state);
      const seconds = state.spanMs / 1000;
      for (const [key, f] of state.current) {
        let row = rows.get(key);
        if (!row) {
          row = { name: f.name, file: f.file, line: f.line, callsPerSec: 0, timePerSec: 0, errorsPerSec: 0, recentP50Ms: NaN, recentP99Ms: NaN, calls: 0, errors: 0, totalMs: 0, maxMs: 0, p50Ms: NaN, p99Ms: NaN };
          rows.set(key, row);
        }
        row.calls += f.calls;
        row.errors += f.errors;
        row.totalMs += f.totalMs;
        row.maxMs = Math.max(row.maxMs, f.maxMs);
        if (!isFresh) continue;
        const old = before(state, key, f);
        row.callsPerSec += (f.calls - (old?.calls ?? 0)) / seconds;
        row.timePerSec += Math.max(0, f.totalMs - (old?.totalMs ?? 0)) / seconds;
        row.errorsPerSec += (f.errors - (old?.errors ?? 0)) / seconds;
      }
    }
    const sorted = [...rows.entries()].sort(([, a], [, b]) => b.timePerSec - a.timePerSec || b.totalMs - a.totalMs || a.name.localeCompare(b.name));
    for (const [key, row] of sorted.slice(0, shown)) this.percentiles(key, row, fresh, stale);
    for (const pid of pids.running) pids.silent.delete(pid);
    for (const pid of [...pids.running, ...pids.silent]) pids.ended.delete(pid);
    return { rows: sorted.map(([, row]) => row), processes: { running: pids.running.size, silent: pids.silent.size, ended: pids.ended.size }, workers };
  }

  private percentiles(key: string, row: LiveRow, fresh: ProcessState[], stale: ProcessState[]): void {
    const { overall, recent } = this;
    for (const state of [...fresh, ...stale]) {
      const f = state.current.get(key);
      if (f) addSparse(overall, f.histogram);
    }
    for (const state of fresh) {
      const f = state.current.get(key);
      if (!f) continue;
      addSparse(recent, f.histogram);
      const old = before(state, key, f);
      if (old) addSparse(recent, old.histogram, -1);
    }
    const maxNs = row.maxMs * 1e6;
    [row.p50Ms, row.p99Ms] = denseQuantiles(overall, QUANTILES, maxNs).map((ns) => ns / 1e6);
    [row.recentP50Ms, row.recentP99Ms] = denseQuantiles(recent, QUANTILES, maxNs).map((ns) => ns / 1e6);
    overall.fill(0);
    recent.fill(0);
  }
}

/** The function's figures in the process's previous report; none when that was another process under the same pid. */
function before(state: ProcessState, key: string, now: FunctionRecord): FunctionRecord | undefined {
  const old = state.previous?.get(key);
  return old && old.calls <= now.calls ? old : undefined;
}
