// Follows the run directory while the program runs: every process report
// (`processes/<pid>-<threadId>.json`), the new records of its span file, and
// the new notes of its OpenTelemetry side table (`.otel`, see
// src/agent/runtime/otel-context.ts). Incremental: each file is read from
// where the last poll stopped. Only the span records a report accounts for
// (`spans.written`) are read, so every record's function is in that report;
// the side table (binary too) is read after the spans, and the agent writes
// it before them, so the note of every root span read is there.
// (src/report/spans.ts's readSpans reads a whole file at once; this is its
// incremental sibling for a live run, with the same record layout.)
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { openReadOnly } from '../../common/files.js';
import { PROCESSES_DIR } from '../../common/run-dir.js';
import { SPAN_FIELDS, type ProcessReport } from '../../common/types.js';
import type { SpanRecord } from '../../report/spans.js';

const RECORD_BYTES = SPAN_FIELDS * 8;
/** The agent's side table (src/agent/runtime/otel-context.ts): [spanId, trace id as 4 words, span id as 2, flags]. */
const OTEL_FIELDS = 8;
const NOTE_BYTES = OTEL_FIELDS * 8;

/** The program's span a root call started in. */
export interface ProgramParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export interface Source {
  /** `<pid>-<threadId>` */
  key: string;
  report: ProcessReport;
  /** Span records consumed so far. */
  read: number;
  otelOffset: number;
  /** Root span id → the program's span it started in. */
  programParents: Map<number, ProgramParent>;
}

export class RunTail {
  readonly sources = new Map<string, Source>();
  private readonly dir: string;

  constructor(outDir: string) {
    this.dir = path.join(outDir, PROCESSES_DIR);
  }

  /** Re-reads the reports (new processes, new functions, span counts). */
  refresh(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      let report: ProcessReport;
      try {
        report = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as ProcessReport;
      } catch {
        continue; // mid-rename, or not ours
      }
      if (report.version !== 1 || !Array.isArray(report.functions) || !report.spans || typeof report.spans.file !== 'string') continue;
      if (path.basename(report.spans.file) !== report.spans.file) continue;
      const key = name.slice(0, -'.json'.length);
      const source = this.sources.get(key);
      if (source) source.report = report;
      else this.sources.set(key, { key, report, read: 0, otelOffset: 0, programParents: new Map() });
    }
  }

  /** Records of `source` not read yet, at most `max`; then the side table's new notes. */
  take(source: Source, max: number): SpanRecord[] {
    const info = source.report.spans!;
    const want = Math.min(info.written - source.read, max);
    const out: SpanRecord[] = [];
    if (want > 0) {
      // The agent writes its Float64Array as is (little-endian on every platform Node runs on): read it back as one.
      const values = new Float64Array(want * SPAN_FIELDS);
      const got = readRange(path.join(this.dir, info.file), source.read * RECORD_BYTES, new Uint8Array(values.buffer));
      const origin = source.report.timeOrigin ?? source.report.startedAt;
      const functions = source.report.functions.length;
      const count = Math.floor(got / RECORD_BYTES);
      for (let i = 0; i < count; i++) {
        const at = i * SPAN_FIELDS;
        const fn = values[at + 2];
        if (!(Number.isInteger(fn) && fn >= 0 && fn < functions)) continue;
        out.push({
          id: values[at],
          parentId: values[at + 1],
          fn,
          startEpochMs: origin + values[at + 3],
          durationMs: Math.max(0, values[at + 4]),
          error: (values[at + 5] & 1) === 1,
        });
      }
      source.read += count;
    }
    this.readProgramParents(source);
    return out;
  }

  /** Span records written but not read yet, over every process. */
  unread(): number {
    let n = 0;
    for (const s of this.sources.values()) n += Math.max(0, s.report.spans!.written - s.read);
    return n;
  }

  private readProgramParents(source: Source): void {
    const file = path.join(this.dir, source.report.spans!.file.replace(/\.spans$/, '.otel'));
    const bytes = readAll(file, source.otelOffset);
    const count = Math.floor(bytes.length / NOTE_BYTES); // whole records only
    if (count === 0) return;
    source.otelOffset += count * NOTE_BYTES;
    const values = new Float64Array(count * OTEL_FIELDS);
    new Uint8Array(values.buffer).set(bytes.subarray(0, count * NOTE_BYTES));
    for (let i = 0; i < count; i++) {
      const at = i * OTEL_FIELDS;
      const hex = (w: number) => (values[at + w] >>> 0).toString(16).padStart(8, '0');
      source.programParents.set(values[at], { traceId: hex(1) + hex(2) + hex(3) + hex(4), spanId: hex(5) + hex(6), sampled: (values[at + 7] & 1) === 1 });
    }
  }
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

/** The bytes of `file` from `offset` to its end (none when missing). */
function readAll(file: string, offset: number): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return Buffer.alloc(0);
  }
  if (size <= offset) return Buffer.alloc(0);
  const bytes = Buffer.alloc(size - offset);
  return bytes.subarray(0, readRange(file, offset, bytes));
}
