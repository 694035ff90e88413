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
// one text line `spanId traceId parentSpanId traceFlags` per root call that
// had an active span. Appended (not kept in the process report, which is
// rewritten whole at every flush and would grow with every request of a
// server), and always flushed before the span records (see flushSpans), so a
// reader that reads the span file first and this file second sees the note of
// every root span it has read.
import { appendFileSync } from 'node:fs';

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

let file = '';
let lines = '';
let failed = false;

export function enableOtelContext(path: string): void {
  file = path;
}

/** Called by startCall for root calls only, and only when the flag is on. Never throws. */
export function noteOtelParent(spanId: number): void {
  const api = (globalThis as any)[API_KEY];
  if (api === undefined || api.context === undefined) return;
  try {
    const span = api.context.active()?.getValue(SPAN_KEY);
    if (span === undefined || typeof span.spanContext !== 'function') return;
    const sc = span.spanContext();
    if (!HEX32.test(sc.traceId) || !HEX16.test(sc.spanId) || sc.traceId === '0'.repeat(32) || sc.spanId === '0'.repeat(16)) return;
    lines += `${spanId} ${sc.traceId} ${sc.spanId} ${sc.traceFlags & 0xff}\n`;
  } catch {
    // A context manager that throws is the program's business, not ours.
  }
}

/** Appends the notes taken since the last flush. */
export function flushOtelContext(): void {
  if (lines === '' || file === '') return;
  const text = lines;
  lines = '';
  if (failed) return;
  try {
    appendFileSync(file, text, { mode: 0o600 });
  } catch {
    failed = true;
  }
}
