// DIR/trace.json in Chrome Trace Event Format, for Perfetto, chrome://tracing
// and speedscope: one complete ("X") event per recorded call, timestamps in
// microseconds since the epoch (so processes line up), pid = the process's
// pid, one track per process and thread, named by metadata ("M") events.
//
// A track must hold properly nested slices only (Perfetto drops the rest,
// speedscope misdraws them), but async calls of one thread interleave:
// requestA and requestB both open at once. So a thread gets as many tracks
// ("lanes") as it needs: a call goes on its parent's lane when it nests
// there, otherwise on the first lane that is free at its start.
import path from 'node:path';
import type { FunctionRecord, ProcessReport } from '../common/types.js';
import { writeFileStreamed } from '../common/files.js';
import { TRACE_FILE } from '../common/run-dir/layout.js';
import { readSpans, type SpanRecord } from '../common/run-dir/spans.js';

export { TRACE_FILE };

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceOptions {
  /** Locations inside it are written relative to it. */
  cwd?: string;
}

/** Writes `DIR/trace.json` (atomically, mode 0600); returns the number of call events. */
export function writeChromeTrace(outDir: string, reports: ProcessReport[], options: TraceOptions = {}): number {
  let calls = 0;
  writeFileStreamed(path.join(outDir, TRACE_FILE), (write) => {
    let first = true;
    write('{"traceEvents":[');
    for (const events of traceEvents(outDir, reports, options)) {
      for (const event of events) {
        if (event.ph === 'X') calls++;
        write((first ? '\n' : ',\n') + JSON.stringify(event));
        first = false;
      }
    }
    write('\n],"displayTimeUnit":"ms","otherData":{"producer":"tanzhen"}}\n');
  });
  return calls;
}

/** The events of each process in turn (a process's spans are read only when its turn comes). */
export function* traceEvents(outDir: string, reports: ProcessReport[], options: TraceOptions = {}): Generator<TraceEvent[]> {
  const byPid = new Map<number, ProcessReport[]>();
  for (const r of [...reports].sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid || a.threadId - b.threadId)) {
    byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r]);
  }
  let sortIndex = 0;
  for (const [pid, threads] of byPid) {
    threads.sort((a, b) => a.threadId - b.threadId);
    const events: TraceEvent[] = [
      // No pid in the name: Perfetto, chrome://tracing and speedscope all show it next to the name.
      { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: processLabel(threads[0]) } },
      { name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: sortIndex++ } },
    ];
    let tid = 1; // per-pid track numbers: Perfetto treats tid 0 specially
    for (const report of threads) {
      const lanes = layOut(readSpans(outDir, report), toleranceUs(report));
      const thread = report.threadId === 0 ? 'main' : `worker ${report.threadId}`;
      const locations = report.functions.map((f) => location(f, options.cwd));
      lanes.forEach((lane, i) => {
        const laneTid = tid++;
        events.push(
          { name: 'thread_name', ph: 'M', pid, tid: laneTid, args: { name: i === 0 ? thread : `${thread} (concurrent ${i + 1})` } },
          { name: 'thread_sort_index', ph: 'M', pid, tid: laneTid, args: { sort_index: laneTid } },
        );
        for (const { span, ts, end } of lane) {
          // args stay the same for every call of a function (but for the error flag):
          // speedscope tells frames apart by name and args.
          const args = { file: locations[span.fn], error: span.error };
          events.push({ name: report.functions[span.fn].name, cat: report.runtime, ph: 'X', pid, tid: laneTid, ts, dur: end - ts, args });
        }
      });
      if (lanes.length === 0) {
        const laneTid = tid++;
        events.push({ name: 'thread_name', ph: 'M', pid, tid: laneTid, args: { name: thread } });
      }
    }
    yield events;
  }
}

interface Placed {
  span: SpanRecord;
  ts: number;
  end: number;
}

/** Spans into lanes of properly nested slices, each lane sorted by start. */
export function layOut(spans: SpanRecord[], toleranceUs = 1): Placed[][] {
  const placed: Placed[] = spans.map((span) => {
    const ts = span.startEpochMs * 1000;
    return { span, ts, end: Math.max(ts, (span.startEpochMs + span.durationMs) * 1000) };
  });
  placed.sort((a, b) => a.ts - b.ts || b.end - a.end || a.span.id - b.span.id);

  const lanes: Placed[][] = [];
  const stacks: Placed[][] = [];
  const laneOf = new Map<number, number>();
  const settle = (lane: number, p: Placed) => {
    const stack = stacks[lane];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.end > p.ts || (top.end === p.ts && top.span.id === p.span.parentId)) break;
      stack.pop();
    }
    return stack;
  };
  const put = (lane: number, p: Placed) => {
    if (lane === lanes.length) {
      lanes.push([]);
      stacks.push([]);
    }
    lanes[lane].push(p);
    stacks[lane].push(p);
    laneOf.set(p.span.id, lane);
  };
  for (const p of placed) {
    const parentLane = p.span.parentId ? laneOf.get(p.span.parentId) : undefined;
    if (parentLane !== undefined) {
      const stack = settle(parentLane, p);
      const top = stack[stack.length - 1];
      // Ends inside its parent, give or take the probe's own cost subtracted from both.
      if (top?.span.id === p.span.parentId && p.end <= top.end + toleranceUs) {
        p.end = Math.min(p.end, top.end);
        put(parentLane, p);
        continue;
      }
    }
    let lane = 0;
    while (lane < lanes.length && settle(lane, p).length > 0) lane++;
    put(lane, p);
  }
  return lanes;
}

/** How far a child may seem to outlast its parent from rounding and the subtracted overhead alone. */
function toleranceUs(report: ProcessReport): number {
  return 1 + (report.calibration?.overheadNs ?? 0) / 1000;
}

/** `node server.js --port 80`, shortened. */
function processLabel(report: ProcessReport): string {
  const [exe = report.runtime, script, ...rest] = report.argv;
  const words = [path.basename(exe), ...(script !== undefined ? [path.isAbsolute(script) ? path.basename(script) : script] : []), ...rest];
  const label = words.join(' ');
  return label.length > 60 ? label.slice(0, 59) + '…' : label;
}

function location(f: FunctionRecord, cwd: string | undefined): string {
  let file = f.file;
  if (cwd && path.isAbsolute(file)) {
    const relative = path.relative(cwd, file);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) file = relative;
  }
  return f.line !== undefined ? `${file}:${f.line}` : file;
}
