// Open calls and their nesting. Each timed call takes a slot from a pool
// (typed arrays, reused: no allocation per call); `current` is the open call
// that new calls nest under. Sync code keeps `current` exact by saving and
// restoring it; instrumented async functions and generators give it up at
// every await/yield (`unwind`) and take it back when they resume (`rewind`),
// so concurrent async call trees interleave without mixing.
import { adaptive, counts, countdown, countUnfinished, record, sampleEvery, setSampling } from './recorder.js';
import { addToNode, nodeFor } from './tree.js';
import { addSpan, spansEnabled } from './spans.js';
import { noteOtelParent } from './otel-context.js';
import { grownFloat64, grownInt32 } from './arrays.js';
import { asyncParent, enterCall, leaveCall, type CallContext } from './async-context.js';

const now = performance.now.bind(performance);

let capacity = 256;
let slotFn = new Int32Array(capacity);
let slotParent = new Int32Array(capacity);
let slotParentGen = new Float64Array(capacity);
let slotGen = new Float64Array(capacity);
let slotNode = new Int32Array(capacity);
let slotStart = new Float64Array(capacity);
let slotChild = new Float64Array(capacity);
/** How many calls this timed call stands for: its function's sampling when it started. */
let slotWeight = new Float64Array(capacity);
let slotSpan = new Float64Array(capacity);
let slotParentSpan = new Float64Array(capacity);
let free = new Int32Array(capacity);
let freeCount = 0;
let nextSlot = 1; // slot 0 means "no call"

/** The open call new calls nest under (0: none). */
let current = 0;
let spanSeq = 0;
let keepSpans = false;
/** TANZHEN_OTEL_CONTEXT=1 (OTLP export): note the program's active OpenTelemetry span at each root call. */
let joinOtel = false;

/** --async-context: each call's context, for callbacks that run after it (see async-context.ts). */
let trackAsync = false;
let slotContext: Array<CallContext | undefined> = [];

/**
 * Adaptive sampling (functions marked in recorder's `adaptive`): every
 * CHECK_EVERY calls, a function's sampling is set from its call rate over
 * those calls, so that the functions busy enough to be checked share about
 * TIMED_PER_SECOND timed calls a second between them (each at least
 * MIN_SHARE): one call in 1, 2, 4 … MAX_EVERY is timed. Every call is still
 * counted. A timed call costs ~0.3 µs more than a counted one, so the budget
 * keeps the timing itself to a few percent of a busy program's time. A timed
 * call stands for the calls skipped before it, so one that a GC pause or the
 * scheduler stretched counts that many times over: MAX_EVERY stays small to
 * keep that error small.
 */
const CHECK_EVERY = 64;
const TIMED_PER_SECOND = 50_000;
const MIN_SHARE = 20;
const MAX_EVERY = 256;
/** Functions that reached CHECK_EVERY calls: the budget is shared between them. */
let busy = 0;
let checked = new Uint8Array(64);
let lastCheckAt = new Float64Array(64);

function grow(): void {
  const size = capacity * 2;
  slotFn = grownInt32(slotFn, size);
  slotParent = grownInt32(slotParent, size);
  slotParentGen = grownFloat64(slotParentGen, size);
  slotGen = grownFloat64(slotGen, size);
  slotNode = grownInt32(slotNode, size);
  slotStart = grownFloat64(slotStart, size);
  slotChild = grownFloat64(slotChild, size);
  slotWeight = grownFloat64(slotWeight, size);
  slotSpan = grownFloat64(slotSpan, size);
  slotParentSpan = grownFloat64(slotParentSpan, size);
  free = grownInt32(free, size);
  capacity = size;
}

export function configureCalls(options: { spans: boolean; otelContext?: boolean; asyncContext?: boolean }): void {
  keepSpans = options.spans && spansEnabled();
  trackAsync = options.asyncContext === true;
  joinOtel = keepSpans && options.otelContext === true;
}

/** A function was registered (ids below `count` exist): its first sampling window starts now. */
export function reserveSampling(count: number): void {
  if (count > lastCheckAt.length) {
    lastCheckAt = grownFloat64(lastCheckAt, Math.max(count, lastCheckAt.length * 2));
    const wider = new Uint8Array(lastCheckAt.length);
    wider.set(checked);
    checked = wider;
  }
  lastCheckAt[count - 1] = now();
}

function isOpen(slot: number, gen: number): boolean {
  return slot !== 0 && slotGen[slot] === gen;
}

/** Starts a call of `id`; returns its slot, or 0 when this call is counted but not timed. */
export function startCall(id: number): number {
  const n = ++counts[id];
  if ((n & (CHECK_EVERY - 1)) === 0 && adaptive[id] === 1) adapt(id);
  const every = sampleEvery[id];
  if (every !== 1 && --countdown[id] > 0) return 0;
  countdown[id] = every;

  const slot = freeCount > 0 ? free[--freeCount] : nextSlot === capacity ? (grow(), nextSlot++) : nextSlot++;
  let parent = current;
  let parentGen = parent === 0 ? 0 : slotGen[parent];
  let parentNode = parent === 0 ? 0 : slotNode[parent];
  let parentSpan = parent === 0 ? 0 : slotSpan[parent];
  // No open call here: with --async-context, a callback scheduled by an earlier call nests under it.
  const scheduled = parent === 0 && trackAsync ? asyncParent() : undefined;
  if (scheduled !== undefined) {
    parent = isOpen(scheduled.slot, scheduled.gen) ? scheduled.slot : 0;
    parentGen = scheduled.gen;
    parentNode = scheduled.node;
    parentSpan = scheduled.span;
  }
  slotFn[slot] = id;
  slotParent[slot] = parent;
  slotParentGen[slot] = parentGen;
  slotNode[slot] = nodeFor(parentNode, id);
  slotChild[slot] = 0;
  slotWeight[slot] = every;
  if (keepSpans) {
    slotSpan[slot] = ++spanSeq;
    slotParentSpan[slot] = parentSpan;
    // Root calls only, and only with TANZHEN_OTEL_CONTEXT=1: which span of the program's own trace this one joins.
    if (joinOtel && parentSpan === 0) noteOtelParent(spanSeq);
  }
  if (trackAsync) slotContext[slot] = enterCall(slot, slotGen[slot], slotNode[slot], keepSpans ? slotSpan[slot] : 0);
  slotStart[slot] = now();
  // Last: had anything above failed (a stack overflow in our own calls), new calls would not nest under a call never started.
  current = slot;
  return slot;
}

/** Ends the call in `slot`: records it, credits its time to its parent, frees the slot. */
export function endCall(slot: number, failed: boolean): number {
  const end = now();
  const id = slotFn[slot];
  const parent = slotParent[slot];
  const parentOpen = isOpen(parent, slotParentGen[slot]);
  const child = slotChild[slot];
  // Before any call of ours: should one fail (a stack overflow), no later call nests under this one.
  if (current === slot) current = parentOpen ? parent : 0;
  const weight = slotWeight[slot];
  const ms = record(id, end - slotStart[slot], child, failed, weight);
  const self = ms > child ? ms - child : 0;
  const node = slotNode[slot];
  // Inside an "other calls" node that took in its caller too, the caller's total already holds this call.
  addToNode(node, parentOpen && slotNode[parent] === node ? 0 : ms, self, weight);
  if (parentOpen) slotChild[parent] += ms;
  if (keepSpans) addSpan(slotSpan[slot], slotParentSpan[slot], id, slotStart[slot], ms, failed);
  if (trackAsync) {
    leaveCall(slotContext[slot]);
    slotContext[slot] = undefined;
  }
  slotGen[slot]++;
  free[freeCount++] = slot;
  return ms;
}

/**
 * When `slot` ends while the current call is one of its descendants, that
 * descendant's frame is gone without its end having run (our bookkeeping
 * overflowed the stack there): it is returned, to be ended first; else 0.
 */
export function staleBelow(slot: number): number {
  if (current === slot || current === 0) return 0;
  let s = current;
  let gen = slotGen[s];
  while (isOpen(s, gen) && s !== slot) {
    gen = slotParentGen[s];
    s = slotParent[s];
  }
  return s === slot ? current : 0;
}

/** The call steps aside (await, yield, or a returned promise): new calls nest under its parent again. */
export function unwind(slot: number): void {
  if (current !== slot) return;
  const parent = slotParent[slot];
  current = isOpen(parent, slotParentGen[slot]) ? parent : 0;
  if (trackAsync) leaveCall(slotContext[slot]);
}

/** The call resumes. */
export function rewind(slot: number): void {
  current = slot;
  if (trackAsync) enterCall(slot, slotGen[slot], slotNode[slot], slotSpan[slot], slotContext[slot]);
}

export function currentSlot(): number {
  return current;
}

export function callFunction(slot: number): number {
  return slotFn[slot];
}

/** How many open calls `slot` is nested in (for --calls indentation). */
export function depthOf(slot: number): number {
  let depth = 0;
  for (let s = slotParent[slot], gen = slotParentGen[slot]; isOpen(s, gen); gen = slotParentGen[s], s = slotParent[s]) depth++;
  return depth;
}

function adapt(id: number): void {
  const t = now();
  const elapsed = t - lastCheckAt[id];
  lastCheckAt[id] = t;
  if (checked[id] === 0) {
    checked[id] = 1;
    busy++;
  }
  // The first window starts when the function was defined: a low guess for one defined long before its first call, put right at the next check.
  const perSecond = elapsed > 0 ? (CHECK_EVERY * 1000) / elapsed : Infinity;
  const share = Math.max(MIN_SHARE, TIMED_PER_SECOND / busy);
  let every = 1;
  while (every < MAX_EVERY && perSecond / every > share) every *= 2;
  if (every !== sampleEvery[id]) setSampling(id, every);
}

/**
 * At exit: ends every call still open (process.exit() inside it, an await
 * that never resumed), timed until now and counted as unfinished, so it and
 * the tree under it are kept. Innermost first — a call ends only after every
 * open call nested in it — so each credits its time to its parent.
 */
export function closeOpenCalls(): void {
  const isFree = new Uint8Array(nextSlot);
  for (let i = 0; i < freeCount; i++) isFree[free[i]] = 1;
  const openChildren = new Int32Array(nextSlot);
  const open: number[] = [];
  for (let slot = 1; slot < nextSlot; slot++) {
    if (isFree[slot] === 1) continue;
    open.push(slot);
    if (isOpen(slotParent[slot], slotParentGen[slot])) openChildren[slotParent[slot]]++;
  }
  const ready = open.filter((slot) => openChildren[slot] === 0);
  while (ready.length > 0) {
    const slot = ready.pop()!;
    const parent = slotParent[slot];
    const parentOpen = isOpen(parent, slotParentGen[slot]);
    countUnfinished(slotFn[slot]);
    endCall(slot, false);
    if (parentOpen && --openChildren[parent] === 0) ready.push(parent);
  }
}
