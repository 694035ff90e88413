// Individual calls, for outputs that need them (trace.json, OTLP): a
// fixed-size buffer of float64 records, appended to a file in the run
// directory when full and at every flush. Past the process's cap, calls are
// still counted and timed in the summary; the spans are only counted as dropped.
import { appendPrivate } from '../../common/files.js';
import { SPAN_FIELDS, type SpanInfo } from '../../common/types.js';
import { flushOtelContext } from './otel-context.js';

const BUFFER_SPANS = 8192;

let enabled = false;
let buffer = new Float64Array(0);
let used = 0;
let written = 0;
let dropped = 0;
let cap = 0;
let file = '';
let fileName = '';
let failed = false;

export function enableSpans(path: string, name: string, maxSpans: number): void {
  enabled = true;
  buffer = new Float64Array(BUFFER_SPANS * SPAN_FIELDS);
  file = path;
  fileName = name;
  cap = maxSpans;
}

export function spansEnabled(): boolean {
  return enabled;
}

export function addSpan(id: number, parentId: number, fn: number, start: number, ms: number, error: boolean): void {
  if (written + used >= cap) {
    dropped++;
    return;
  }
  const at = used * SPAN_FIELDS;
  buffer[at] = id;
  buffer[at + 1] = parentId;
  buffer[at + 2] = fn;
  buffer[at + 3] = start;
  buffer[at + 4] = ms;
  buffer[at + 5] = error ? 1 : 0;
  if (++used === BUFFER_SPANS) flushSpans();
}

/** Appends the buffered spans to the span file. */
export function flushSpans(): void {
  // The OpenTelemetry side table first (a no-op unless TANZHEN_OTEL_CONTEXT=1), so its notes are on disk before the spans they name.
  flushOtelContext();
  if (!enabled || used === 0) return;
  const count = used;
  used = 0;
  if (failed) {
    dropped += count;
    return;
  }
  try {
    appendPrivate(file, new Uint8Array(buffer.buffer, 0, count * SPAN_FIELDS * 8));
    written += count;
  } catch {
    failed = true;
    dropped += count;
  }
}

export function spanInfo(): SpanInfo | undefined {
  return enabled ? { file: fileName, written, dropped } : undefined;
}
