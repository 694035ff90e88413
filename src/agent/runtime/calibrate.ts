// Honest numbers for tiny functions: the probe's own cost inside each timed
// window (the end of one clock read to the start of the next: returning from
// the start hook, entering try/catch, calling the end hook) is measured
// once at start-up (after a warm-up) on an empty function shaped exactly like instrumented
// code, and its median is taken off every recorded duration.
import { HELPERS, stackEnd, stackStart } from '../instrument/templates.js';
import type { Calibration } from '../../common/types.js';
import { makeProbe } from './probe.js';

const WARMUP = 1500;
const ROUNDS = 1000;
const now = performance.now.bind(performance);

export function calibrate(): Calibration {
  const samples = new Float64Array(WARMUP + ROUNDS);
  let started = 0;
  let n = 0;
  const probe = makeProbe(
    () => {
      started = now();
      return 1;
    },
    () => {
      samples[n++] = now() - started;
    },
  );
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('__tz$', '__tz$b', `var __tz$v;${HELPERS}return function empty(){${stackStart('__tz$b')}${stackEnd('')}}`);
  const empty = factory(probe, 0) as () => void;
  // Warm up first: instrumented code that matters runs optimised, not interpreted.
  for (let i = 0; i < WARMUP + ROUNDS; i++) empty();
  const sorted = Array.from(samples.subarray(WARMUP)).sort((a, b) => a - b);
  const median = sorted[ROUNDS >> 1];
  return { overheadNs: Math.round(median * 1e6 * 10) / 10, method: `median of ${ROUNDS} calls (after ${WARMUP} to warm up) of an empty instrumented function at start-up` };
}
