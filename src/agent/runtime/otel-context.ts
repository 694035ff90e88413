// Joining the program's own OpenTelemetry traces (TANZHEN_OTEL_CONTEXT=1, set
// by the launcher when OTLP export is on). At the start of a ROOT probed call
// (no probed call open), the span the program's OpenTelemetry SDK holds as
// active, if any, is noted: its trace id and span id become the root span's
// trace and parent when the launcher exports it.
//
// The program's API is read through its global registry — the object
// @opentelemetry/api 1.x keeps at globalThis[Symbol.for('opentelemetry.js.api.1')],
// holding the registered context manager — so the agent never imports
// @opentelemetry/api, and does nothing when the program has no SDK.
//
// The notes are a side table next to the span file, `<pid>-<threadId>.otel`:
// records of OTEL_FIELDS float64 values, [spanId, the program's trace id as
// four 32-bit words, its span id as two, its trace flags], one per root call
// that had an active span. Binary, like the span file, so a note costs a few
// array writes (the span's ids are parsed once per program span, not per
// call). Appended (not kept in the process report, which is rewritten whole
// at every flush and would grow with every request of a server), and always
// flushed before the span records (see flushSpans), so a reader that reads
// the span file first and this file second finds the note of every root
// span it has read.
import { appendPrivate } from '../../common/files.js';

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
export const OTEL_FIELDS = 8;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;

const BUFFER_NOTES = 4096;

let file = '';
let buffer = new Float64Array(0);
let used = 0; // records
let left = 0; // notes still allowed: no more than the spans the process may keep
let failed = false;
/** The program's span of the last note, and its ids as words (parsed once per span, not per call); words[0] < 0: not a valid span. */
let lastSpan: unknown;
const words = new Float64Array(OTEL_FIELDS - 1);

export function enableOtelContext(path: string, maxSpans: number): void {
  file = path;
  left = maxSpans;
  buffer = new Float64Array(BUFFER_NOTES * OTEL_FIELDS);
}

/** Called by startCall for root calls only, and only when the flag is on. Never throws. */
export function noteOtelParent(spanId: number): void {
  const api = (globalThis as any)[API_KEY];
  if (api === undefined || api.context === undefined || left === 0) return;
  try {
    const span = api.context.active()?.getValue(SPAN_KEY);
    if (span === undefined) return;
    if (span !== lastSpan) {
      lastSpan = span;
      parse(span);
    }
    if (words[0] < 0) return;
    left--;
    const at = used++ * OTEL_FIELDS;
    buffer[at] = spanId;
    for (let i = 0; i < OTEL_FIELDS - 1; i++) buffer[at + 1 + i] = words[i];
    if (used === BUFFER_NOTES) flushOtelContext(); // early is always safe: notes go before their spans
  } catch {
    // A context manager that throws is the program's business, not ours.
  }
}

/** The span's trace id (4 words), span id (2 words) and flags into `words`; words[0] = -1 when its context is not valid. */
function parse(span: any): void {
  words[0] = -1;
  if (typeof span.spanContext !== 'function') return;
  const sc = span.spanContext();
  if (!HEX32.test(sc?.traceId) || !HEX16.test(sc.spanId) || ZERO.test(sc.traceId) || ZERO.test(sc.spanId)) return;
  const hex = sc.traceId + sc.spanId;
  for (let i = 0; i < 6; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  words[6] = sc.traceFlags & 0xff;
}

/** Appends the notes taken since the last flush. */
export function flushOtelContext(): void {
  if (used === 0) return;
  const count = used;
  used = 0;
  if (failed) return;
  try {
    appendPrivate(file, new Uint8Array(buffer.buffer, 0, count * OTEL_FIELDS * 8));
  } catch {
    failed = true;
  }
}
