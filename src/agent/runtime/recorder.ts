// Per-function counters in flat typed arrays, indexed by a function id handed
// out at instrumentation time. Recording a call touches only numbers: no
// objects, no closures, no strings.
import { BUCKETS, bucketOf, toSparse } from '../../common/histogram.js';
import type { FunctionRecord } from '../../common/types.js';

export interface FunctionInfo {
  target: string;
  name: string;
  file: string;
  line?: number;
}

let capacity = 64;
let calls = new Float64Array(capacity);
let errors = new Float64Array(capacity);
let totalMs = new Float64Array(capacity);
let maxMs = new Float64Array(capacity);
let histograms: Array<Float64Array | undefined> = [];
const infos: FunctionInfo[] = [];

function grow(): void {
  capacity *= 2;
  const copy = (from: Float64Array) => {
    const to = new Float64Array(capacity);
    to.set(from);
    return to;
  };
  calls = copy(calls);
  errors = copy(errors);
  totalMs = copy(totalMs);
  maxMs = copy(maxMs);
}

/** Registers a function and returns its id (not on the hot path). */
export function addFunction(info: FunctionInfo): number {
  const id = infos.length;
  if (id === capacity) grow();
  infos.push(info);
  histograms.push(undefined);
  return id;
}

export function functionInfo(id: number): FunctionInfo {
  return infos[id];
}

/** Records one finished call of `id` that took `ms` milliseconds. */
export function record(id: number, ms: number): void {
  calls[id]++;
  totalMs[id] += ms;
  if (ms > maxMs[id]) maxMs[id] = ms;
  const h = histograms[id] ?? (histograms[id] = new Float64Array(BUCKETS));
  h[bucketOf(ms * 1e6)]++;
}

export function recordError(id: number, ms: number): void {
  errors[id]++;
  record(id, ms);
}

/** Everything recorded so far, for a process report. */
export function snapshot(): FunctionRecord[] {
  const out: FunctionRecord[] = [];
  for (let id = 0; id < infos.length; id++) {
    const h = histograms[id];
    out.push({
      ...infos[id],
      calls: calls[id],
      errors: errors[id],
      totalMs: totalMs[id],
      maxMs: maxMs[id],
      histogram: h ? toSparse(h) : [],
    });
  }
  return out;
}
