// The object instrumented code calls, found under a global symbol.
// Plain functions (the "stack" shape, see templates.ts):
//   s(id)      a call starts; its slot goes on the probe's stack of plain calls
//   n--, then  the instrumented code pops (no call needed, so even a stack
//              overflow keeps the stack straight), then tells how the call ended:
//   r(v)       it returned v (a native promise is timed until it settles)
//   d()        it ran off the end of its body
//   x()        it threw
// Async functions, generators and returns through `finally` (the "slot" shape):
//   o(id)      a call starts; returns its slot (0: counted, not timed)
//   e(id, slot, how, v)  it ended: how 2 = threw, else returned v
//   u(slot) / w(slot)  it suspends at an await or yield / resumes
// and f(...) a module registers its functions.
// Two variants: the plain one and one that also logs every call (--calls);
// the choice is made once, at start-up.
import { types } from 'node:util';
import { formatDuration } from '../../common/units.js';
import { callFunction, currentSlot, depthOf, endCall, reserveSampling, rewind, staleBelow, startCall, unwind } from './calls.js';
import { addFunction, countError, functionCount, functionInfo } from './recorder.js';
import { noteModule } from './state.js';
import { reserveFunctions } from './tree.js';
import { grownInt32 } from './arrays.js';
import { noteSourceRanges } from './source-text.js';

export interface Probe {
  /** How many plain calls are on the stack; instrumented catch blocks decrement it themselves. */
  n: number;
  s(id: number): void;
  r(value: unknown): void;
  d(): void;
  x(): void;
  o(id: number): number;
  e(id: number, slot: number, how: number, value: unknown): void;
  u(slot: number): void;
  w(slot: number): void;
  f(file: string, targets: string[], names: string[], lines: number[], matched: string[], candidates: Record<string, string[]>, key?: string, ranges?: number[], files?: string[]): number;
}

export const PROBE_KEY = Symbol.for('tanzhen.probe');

/** How an instrumented call left, as the slot shape passes it to e(). */
export const THREW = 2;

const promiseProto = Promise.prototype;
const promiseThen = Promise.prototype.then;
const isPromise = types.isPromise;

/** Sampling for new functions: 1 = time every call; `follow`: by their call rate (all, those of wildcard targets, none). */
let defaultEvery = 1;
let follow: 'all' | 'wildcards' | 'none' = 'none';

export function setDefaultSampling(every: number, adaptive: typeof follow): void {
  defaultEvery = every;
  follow = adaptive;
}

/** `pkg:*`, `./src/**\/*.ts:*`, `./a.js:Client.*`: a target naming functions by pattern. */
function isWildcard(target: string): boolean {
  return target.slice(target.lastIndexOf(':') + 1).includes('*');
}

/** Registers a function outside instrumented code (built-ins, calibration). */
export function registerFunction(info: { target: string; name: string; file: string; line?: number }): number {
  const id = addFunction(info, defaultEvery, follow === 'all' || (follow === 'wildcards' && isWildcard(info.target)));
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
  key?: string,
  ranges?: number[],
  /** Per function, the source it was written in, when a bundle's map says so (else `file`). */
  files?: string[],
): number {
  noteModule(matchedSpecs, candidates);
  if (names.length === 0) return 0;
  if (key !== undefined && ranges !== undefined) noteSourceRanges(key, file, ranges);
  const registration = file + '\0' + names.join('\0') + (files ? '\0' + files.join('\0') : '');
  const known = registered.get(registration);
  if (known !== undefined) return known;
  let base = -1;
  for (let i = 0; i < names.length; i++) {
    const id = registerFunction({ target: targets[i], name: names[i], file: files?.[i] ?? file, line: lines[i] });
    if (i === 0) base = id;
  }
  registered.set(registration, base);
  return base;
}

/**
 * A plain native promise: the only kind we time to settlement (a subclass's `then` could run user code).
 * isPromise first: it runs no user code, where reading a Proxy's prototype would run its trap.
 */
function isNativePromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && isPromise(value) && Object.getPrototypeOf(value) === promiseProto;
}

type End = (slot: number, failed: boolean) => void;

const ignore = () => {};

/**
 * A call returned the program's own promise: it is handed back untouched and
 * the call ends when it settles. Our reactions never throw, so they add no
 * rejection of their own (see docs/reliability.md for what they change).
 */
function settle(id: number, slot: number, promise: Promise<unknown>, end: End): void {
  if (slot > 0) {
    unwind(slot);
    promiseThen.call(
      promise,
      () => end(slot, false),
      () => end(slot, true),
    );
  } else {
    // Not timed (sampled out): a rejection is still an error of this function.
    promiseThen.call(promise, ignore, () => countError(id));
  }
}

export function makeProbe(start: (id: number) => number, end: End): Probe {
  // Open plain calls, innermost last: a slot, or -(id + 1) for a call counted but not timed.
  let stack = new Int32Array(16384);

  /** Ends a popped entry; `how` as for e(). */
  const finish = (entry: number, how: number, value: unknown) => {
    if (entry > 0) {
      // Descendants left current by a stack overflow in our bookkeeping end first, innermost first.
      // Each pass must make progress: should ending one fail to move the current call, stop.
      for (let stale = staleBelow(entry), last = 0; stale !== 0 && stale !== last; last = stale, stale = staleBelow(entry)) end(stale, true);
      if (how !== THREW && isNativePromise(value)) settle(-1, entry, value, end);
      else end(entry, how === THREW);
    } else if (entry < 0) {
      if (how === THREW) countError(-entry - 1);
      else if (isNativePromise(value)) settle(-entry - 1, 0, value, end);
    }
  };

  /**
   * Entries at and above `from` whose catch could not call x() (a stack
   * overflow in the catch itself): they threw. Innermost first, so each
   * credits its parent.
   */
  const abandon = (from: number) => {
    let top = from;
    while (top + 1 < stack.length && stack[top + 1] !== 0) top++;
    for (let i = top; i >= from; i--) {
      // Cleared once ended: if ending fails (at the stack limit), the entry is still there to end later.
      finish(stack[i], THREW, undefined);
      stack[i] = 0;
    }
  };

  /**
   * The index of the entry the instrumented code just popped, after ending
   * the abandoned ones above it. The entry itself is cleared only once its
   * call has ended: if ending fails (at the stack limit), it is ended later.
   */
  const popped = () => {
    let n = probe.n;
    if (n < 0) n = probe.n = 0;
    if (stack[n + 1] !== 0) abandon(n + 1);
    return n;
  };

  const probe: Probe = {
    n: 0,
    s(id) {
      const n = probe.n;
      // One entry to spare, so the ends can look above the top without a bounds check.
      if (n + 2 > stack.length) stack = grownInt32(stack, stack.length * 2);
      let slot = 0;
      let before = 0;
      try {
        // Calls abandoned by a stack overflow end first, so this one does not nest under them.
        if (stack[n] !== 0) abandon(n);
        before = currentSlot();
        slot = start(id);
      } catch {
        // Our bookkeeping hit the stack limit: the call runs untimed, the stack stays straight;
        // if it did start (a wrapper of start failed after it), it is ended with this frame.
        if (currentSlot() !== before) slot = currentSlot();
      }
      stack[n] = slot === 0 ? -id - 1 : slot;
      probe.n = n + 1;
    },
    r(value) {
      const n = popped();
      finish(stack[n], 0, value);
      stack[n] = 0;
    },
    d() {
      const n = popped();
      finish(stack[n], 0, undefined);
      stack[n] = 0;
    },
    x() {
      abandon(probe.n);
    },
    o: start,
    e(id, slot, how, value) {
      if (slot > 0) finish(slot, how, value);
      else finish(-id - 1, how, value);
    },
    u: unwind,
    w: rewind,
    f: register,
  };
  return probe;
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
