// The object instrumented code calls (via a global symbol): s = start a call,
// d = done, x = threw, r = returned a value (maybe a promise), f = register a
// module's functions. Two variants: the plain one, and one that also logs
// every call (--calls); the choice is made once, at start-up.
import { types } from 'node:util';
import { addFunction, record, recordError, functionInfo } from './recorder.js';
import { formatDuration } from '../../common/units.js';
import { noteModule } from './state.js';

export interface Probe {
  s(id: number): number;
  d(id: number, t: number): void;
  x(id: number, t: number): void;
  r(id: number, t: number, value: unknown): unknown;
  f(file: string, targets: string[], names: string[], lines: number[], matched: string[], candidates: Record<string, string[]>): number;
}

export const PROBE_KEY = Symbol.for('tanzhen.probe');

const now = performance.now.bind(performance);
const promiseProto = Promise.prototype;
const promiseThen = Promise.prototype.then;
const isPromise = types.isPromise;

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
    const id = addFunction({ target: targets[i], name: names[i], file, line: lines[i] });
    if (i === 0) base = id;
  }
  registered.set(key, base);
  return base;
}

/** A plain native promise: the only kind we time to settlement (a subclass's `then` could run user code). */
function isNativePromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && isPromise(value) && Object.getPrototypeOf(value) === promiseProto;
}

type End = (id: number, ms: number) => void;

function settle(id: number, t: number, promise: Promise<unknown>, done: End, failed: End): Promise<unknown> {
  return promiseThen.call(
    promise,
    (value) => {
      done(id, now() - t);
      return value;
    },
    (error) => {
      failed(id, now() - t);
      throw error;
    },
  );
}

function makeProbe(start: (id: number) => number, done: End, failed: End): Probe {
  return {
    s: start,
    d(id, t) {
      done(id, now() - t);
    },
    x(id, t) {
      failed(id, now() - t);
    },
    r(id, t, value) {
      if (isNativePromise(value)) return settle(id, t, value, done, failed);
      done(id, now() - t);
      return value;
    },
    f: register,
  };
}

export const plainProbe: Probe = makeProbe(now, record, recordError);

/** --calls: one line per call on stderr, indented by synchronous depth. */
export function loggingProbe(write: (line: string) => void): Probe {
  let depth = 0;
  const label = (id: number) => functionInfo(id).name;
  return makeProbe(
    (id) => {
      write(`${'  '.repeat(depth)}→ ${label(id)}`);
      depth++;
      return now();
    },
    (id, ms) => {
      depth = Math.max(0, depth - 1);
      write(`${'  '.repeat(depth)}← ${label(id)} ${formatDuration(ms)}`);
      record(id, ms);
    },
    (id, ms) => {
      depth = Math.max(0, depth - 1);
      write(`${'  '.repeat(depth)}✗ ${label(id)} ${formatDuration(ms)} (threw)`);
      recordError(id, ms);
    },
  );
}
