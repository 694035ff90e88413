// Per-function figures in flat typed arrays indexed by function id. Adding a
// finished call touches only numbers: no objects, no closures, no strings.
import { BUCKETS, bucketOf, toSparse } from '../../common/histogram.js';
import type { FunctionRecord } from '../../common/types.js';
import { grownFloat64 } from './arrays.js';

export interface FunctionInfo {
  target: string;
  name: string;
  file: string;
  line?: number;
}

let capacity = 64;
/** Calls counted (every call, timed or not). */
export let counts = new Float64Array(capacity);
/** 1 = every call timed; N = one call in N (sampling). */
export let sampleEvery = new Float64Array(capacity).fill(1);
/** Calls left before the next timed one. */
export let countdown = new Float64Array(capacity).fill(1);
/** 1: the function's sampling follows its call rate (see adapt in calls.ts). */
export let adaptive = new Uint8Array(capacity);
let errors = new Float64Array(capacity);
let totalMs = new Float64Array(capacity);
let selfMs = new Float64Array(capacity);
let maxMs = new Float64Array(capacity);
let maxEvery = new Float64Array(capacity).fill(1);
/** Calls still open at exit, closed there (see closeOpenCalls). */
let unfinished = new Float64Array(capacity);
const histograms: Array<Float64Array | undefined> = [];
const infos: FunctionInfo[] = [];

/** The probe's own cost inside each timed window, taken off every duration (see calibrate.ts). */
let overheadMs = 0;

export function setOverhead(ms: number): void {
  overheadMs = ms;
}

function grow(): void {
  capacity *= 2;
  counts = grownFloat64(counts, capacity);
  sampleEvery = grownFloat64(sampleEvery, capacity, 1);
  countdown = grownFloat64(countdown, capacity, 1);
  const wider = new Uint8Array(capacity);
  wider.set(adaptive);
  adaptive = wider;
  errors = grownFloat64(errors, capacity);
  totalMs = grownFloat64(totalMs, capacity);
  selfMs = grownFloat64(selfMs, capacity);
  maxMs = grownFloat64(maxMs, capacity);
  maxEvery = grownFloat64(maxEvery, capacity, 1);
  unfinished = grownFloat64(unfinished, capacity);
}

/** Registers a function and returns its id (not on the hot path). */
export function addFunction(info: FunctionInfo, every = 1, follow = false): number {
  const id = infos.length;
  if (id === capacity) grow();
  infos.push(info);
  histograms.push(undefined);
  sampleEvery[id] = every;
  maxEvery[id] = every;
  countdown[id] = 1;
  adaptive[id] = follow ? 1 : 0;
  return id;
}

export function functionInfo(id: number): FunctionInfo {
  return infos[id];
}

export function functionCount(): number {
  return infos.length;
}

/**
 * Adds one timed call of `id` that took `ms` (children: `childMs`). A timed
 * call stands for `weight` calls when sampling (the sampling when it
 * started), so totals and percentiles stay honest. Returns the net duration.
 */
export function record(id: number, ms: number, childMs: number, failed: boolean, weight: number): number {
  ms -= overheadMs;
  if (ms < 0) ms = 0;
  totalMs[id] += ms * weight;
  const self = ms - childMs;
  selfMs[id] += (self > 0 ? self : 0) * weight;
  if (ms > maxMs[id]) maxMs[id] = ms;
  if (failed) errors[id] += 1;
  const h = histograms[id] ?? (histograms[id] = new Float64Array(BUCKETS));
  h[bucketOf(ms * 1e6)] += weight;
  return ms;
}

/** A call of `id` was still open at exit. */
export function countUnfinished(id: number): void {
  unfinished[id] += 1;
}

/** An error from a call that was counted but not timed. */
export function countError(id: number): void {
  errors[id] += 1;
}

/** Times one call of `id` in `every` from now on. */
export function setSampling(id: number, every: number): void {
  sampleEvery[id] = every;
  if (countdown[id] > every) countdown[id] = every;
  if (every > maxEvery[id]) maxEvery[id] = every;
}

/** Everything recorded so far, for a process report. */
export function snapshot(): FunctionRecord[] {
  const out: FunctionRecord[] = [];
  for (let id = 0; id < infos.length; id++) {
    const h = histograms[id];
    out.push({
      ...infos[id],
      calls: counts[id],
      errors: errors[id],
      totalMs: totalMs[id],
      selfMs: selfMs[id],
      maxMs: maxMs[id],
      ...(maxEvery[id] > 1 ? { sampleEvery: maxEvery[id] } : {}),
      ...(unfinished[id] > 0 ? { unfinished: unfinished[id] } : {}),
      histogram: h ? toSparse(h) : [],
    });
  }
  return out;
}

/** Forgets a function's figures (the calibration function, once measured). */
export function resetFunction(id: number): void {
  counts[id] = errors[id] = totalMs[id] = selfMs[id] = maxMs[id] = 0;
  histograms[id] = undefined;
}
