// Honest numbers for tiny functions: the probe's own cost inside each timed
// window (the end of one clock read to the start of the next: returning from
// the start hook, entering try/catch, calling the end hook) is measured
// (after a warm-up) on an empty function shaped exactly like instrumented
// code, and its median is taken off every recorded duration.
//
// Measured once per machine, Node version and shape of instrumented code, at
// the start of the first probed process, and kept in the user's cache
// directory: later processes read it instead of spending ~3 ms of their
// start-up on it (docs/startup.md). Each report says which it was.
import { HELPERS, stackEnd, stackStart } from '../instrument/templates.js';
import type { Calibration } from '../../common/types.js';
import { hashText, readCached, writeCached } from '../user-cache.js';
import { makeProbe } from './probe.js';

const WARMUP = 1500;
const ROUNDS = 1000;

const SHAPE = `${HELPERS}${stackStart('__tz$b')}${stackEnd('')}`;

/** The calibration kept for this machine, Node version and code shape, or a new one (then kept). */
export function calibration(): Calibration {
  const name = `calibration-${process.version}-${process.platform}-${process.arch}-${hashText(SHAPE)}.json`;
  const kept = parseKept(readCached(name));
  if (kept) return kept;
  const fresh = calibrate();
  const at = new Date().toISOString();
  const file = writeCached(name, JSON.stringify({ overheadNs: fresh.overheadNs, method: fresh.method, measuredAt: at }) + '\n');
  return file ? { overheadNs: fresh.overheadNs, method: `${fresh.method}, by Node ${process.version} at the start of this process (${at}); kept in ${file} for later runs` } : fresh;
}

function parseKept(text: string | undefined): Calibration | undefined {
  if (text === undefined) return undefined;
  try {
    const kept = JSON.parse(text) as { overheadNs?: unknown; method?: unknown; measuredAt?: unknown };
    const ns = kept.overheadNs;
    if (typeof ns !== 'number' || !(ns >= 0 && ns < 1e6) || typeof kept.method !== 'string' || typeof kept.measuredAt !== 'string') return undefined;
    return { overheadNs: ns, method: `${kept.method}, by Node ${process.version} on this machine at ${kept.measuredAt} (kept in the user's cache directory, read at start-up)` };
  } catch {
    return undefined;
  }
}

export function calibrate(): Calibration {
  const now = performance.now.bind(performance);
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
  return { overheadNs: Math.round(median * 1e6 * 10) / 10, method: `median of ${ROUNDS} calls (after ${WARMUP} to warm up) of an empty instrumented function` };
}
