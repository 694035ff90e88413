// The object instrumented code calls, found under a global symbol:
//   s(id)      start a call, returns its slot (0: counted, not timed)
//   d(slot)    the call finished
//   x(id, slot) the call threw
//   r(slot, v) the call returned v: a native promise is timed until it settles
//   u(slot) / w(slot)  the call suspends at an await or yield / resumes
//   f(...)     a module registers its functions
// Two variants: the plain one and one that also logs every call (--calls);
// the choice is made once, at start-up.
import { types } from 'node:util';
import { formatDuration } from '../../common/units.js';
import { callFunction, currentSlot, depthOf, endCall, reserveSampling, rewind, startCall, unwind } from './calls.js';
import { addFunction, countError, functionCount, functionInfo } from './recorder.js';
import { noteModule } from './state.js';
import { reserveFunctions } from './tree.js';

export interface Probe {
  s(id: number): number;
  d(slot: number): void;
  x(id: number, slot: number): void;
  r(slot: number, value: unknown): unknown;
  u(slot: number): void;
  w(slot: number): void;
  f(file: string, targets: string[], names: string[], lines: number[], matched: string[], candidates: Record<string, string[]>): number;
}

export const PROBE_KEY = Symbol.for('tanzhen.probe');

const promiseProto = Promise.prototype;
const promiseThen = Promise.prototype.then;
const isPromise = types.isPromise;

/** Sampling for new functions: 1 = time every call. */
let defaultEvery = 1;

export function setDefaultSampling(every: number): void {
  defaultEvery = every;
}

/** Registers a function outside instrumented code (built-ins, calibration). */
export function registerFunction(info: { target: string; name: string; file: string; line?: number }): number {
  const id = addFunction(info, defaultEvery);
  reserveFunctions(functionCount());
  reserveSampling(functionCount());
  return id;
}

/** Functions registered per module file, so a module evaluated twice keeps its ids. */
const registered = new Map<string, number>();

function register(
  file: string,
  targets: string[],
  names: string[],
  lines: number[],
  matchedSpecs: string[],
  candidates: Record<string, string[]>,
): number {
  noteModule(matchedSpecs, candidates);
  if (names.length === 0) return 0;
  const key = file + '\0' + names.join('\0');
  const known = registered.get(key);
  if (known !== undefined) return known;
  let base = -1;
  for (let i = 0; i < names.length; i++) {
    const id = registerFunction({ target: targets[i], name: names[i], file, line: lines[i] });
    if (i === 0) base = id;
  }
  registered.set(key, base);
  return base;
}

/** A plain native promise: the only kind we time to settlement (a subclass's `then` could run user code). */
function isNativePromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && isPromise(value) && Object.getPrototypeOf(value) === promiseProto;
}

type End = (slot: number, failed: boolean) => void;

export function makeProbe(start: (id: number) => number, end: End): Probe {
  return {
    s: start,
    d(slot) {
      end(slot, false);
    },
    x(id, slot) {
      if (slot !== 0) end(slot, true);
      else countError(id);
    },
    r(slot, value) {
      if (!isNativePromise(value)) {
        end(slot, false);
        return value;
      }
      unwind(slot);
      return promiseThen.call(
        value,
        (result) => {
          end(slot, false);
          return result;
        },
        (error) => {
          end(slot, true);
          throw error;
        },
      );
    },
    u: unwind,
    w: rewind,
    f: register,
  };
}

export const plainProbe: Probe = makeProbe(startCall, endCall);

/** --calls: one line per call on stderr, indented by nesting, written outside the timed window. */
export function loggingProbe(write: (line: string) => void): Probe {
  const indent = (depth: number) => '  '.repeat(depth);
  return makeProbe(
    (id) => {
      const parent = currentSlot();
      write(`${indent(parent === 0 ? 0 : depthOf(parent) + 1)}→ ${functionInfo(id).name}`);
      return startCall(id);
    },
    (slot, failed) => {
      const depth = depthOf(slot);
      const name = functionInfo(callFunction(slot)).name;
      const ms = endCall(slot, failed);
      write(`${indent(depth)}${failed ? '✗' : '←'} ${name} ${formatDuration(ms)}${failed ? ' (threw)' : ''}`);
    },
  );
}
