// Span files, `processes/<pid>-<threadId>.spans`: the agent appends
// little-endian float64 records of SPAN_FIELDS values each, in the order the
// calls ended (children before their parents); and the OpenTelemetry side
// table `.otel` beside it (src/agent/runtime/otel-context.ts). Read here
// whole (trace.json) or from an offset on (the exporters, while the run goes on).
// Only the records a report accounts for (`spans.written`) are read, so every
// record's function is in that report.
import { closeSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { openReadOnly } from '../files.js';
import { SPAN_FIELDS, type ProcessReport } from '../types.js';
import { PROCESSES_DIR } from './layout.js';

export interface SpanRecord {
  /** Unique within its process/thread; > 0. */
  id: number;
  /** The enclosing probed call's id; 0 for none. The parent may be missing (dropped past the cap). */
  parentId: number;
  /** Index into the report's `functions`. */
  fn: number;
  /** Start, epoch milliseconds (report.timeOrigin + the recorded offset). */
  startEpochMs: number;
  /** Net of the probe's calibrated overhead, like every duration in the summary. */
  durationMs: number;
  error: boolean;
}

const RECORD_BYTES = SPAN_FIELDS * 8;
/** The side table's records: [spanId, trace id as 4 words, span id as 2, flags]. */
const OTEL_FIELDS = 8;
const NOTE_BYTES = OTEL_FIELDS * 8;

/** The program's span a root call started in (from the side table). */
export interface ProgramParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** The span file of a report, or undefined when it has none (or names a file outside processes/). */
function spanFile(outDir: string, report: ProcessReport): string | undefined {
  const info = report.spans;
  if (!info || typeof info.file !== 'string' || path.basename(info.file) !== info.file) return undefined;
  return path.join(outDir, PROCESSES_DIR, info.file);
}

/** Every span of one process report, in file order (end order). */
export function readSpans(outDir: string, report: ProcessReport): SpanRecord[] {
  return readSpansFrom(outDir, report, 0, Infinity).spans;
}

/**
 * At most `max` spans of `report` from record `from` on; `next` is where the
 * following read starts. A missing or unreadable file gives none.
 */
export function readSpansFrom(outDir: string, report: ProcessReport, from: number, max: number): { spans: SpanRecord[]; next: number } {
  const file = spanFile(outDir, report);
  const want = Math.min((report.spans?.written ?? 0) - from, max);
  if (file === undefined || !(want > 0)) return { spans: [], next: from };
  // The agent writes its Float64Array as is (little-endian on every platform Node runs on): read it back as one.
  const values = new Float64Array(want * SPAN_FIELDS);
  const count = Math.floor(readRange(file, from * RECORD_BYTES, new Uint8Array(values.buffer)) / RECORD_BYTES);
  const origin = report.timeOrigin ?? report.startedAt;
  const functions = report.functions.length;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * SPAN_FIELDS;
    const fn = values[at + 2];
    if (!(Number.isInteger(fn) && fn >= 0 && fn < functions)) continue;
    spans.push({
      id: values[at],
      parentId: values[at + 1],
      fn,
      startEpochMs: origin + values[at + 3],
      durationMs: Math.max(0, values[at + 4]),
      error: (values[at + 5] & 1) === 1,
    });
  }
  return { spans, next: from + count };
}

/** The side table's notes from byte `offset` on (whole records only); `next` is the following offset. */
export function readProgramParents(outDir: string, report: ProcessReport, offset: number): { notes: Array<[number, ProgramParent]>; next: number } {
  const spans = spanFile(outDir, report);
  if (spans === undefined) return { notes: [], next: offset };
  const file = spans.replace(/\.spans$/, '.otel');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { notes: [], next: offset };
  }
  const count = Math.floor(Math.max(0, size - offset) / NOTE_BYTES);
  if (count === 0) return { notes: [], next: offset };
  const values = new Float64Array(count * OTEL_FIELDS);
  const got = Math.floor(readRange(file, offset, new Uint8Array(values.buffer)) / NOTE_BYTES);
  const notes: Array<[number, ProgramParent]> = [];
  for (let i = 0; i < got; i++) {
    const at = i * OTEL_FIELDS;
    const hex = (w: number) => (values[at + w] >>> 0).toString(16).padStart(8, '0');
    notes.push([values[at], { traceId: hex(1) + hex(2) + hex(3) + hex(4), spanId: hex(5) + hex(6), sampled: (values[at + 7] & 1) === 1 }]);
  }
  return { notes, next: offset + got * NOTE_BYTES };
}

/** Fills `into` from `offset` of `file`; returns how many bytes were read (fewer, or none, when the file is shorter or missing). */
function readRange(file: string, offset: number, into: Uint8Array): number {
  let fd: number;
  try {
    fd = openReadOnly(file);
  } catch {
    return 0;
  }
  try {
    let at = 0;
    while (at < into.length) {
      const got = readSync(fd, into, at, into.length - at, offset + at);
      if (got === 0) break;
      at += got;
    }
    return at;
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}
