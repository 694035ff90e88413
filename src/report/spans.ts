// Reading a process's individual calls (spans) back from the run directory:
// `processes/<pid>-<threadId>.spans`, little-endian float64 records of
// SPAN_FIELDS values each, appended in the order the calls ended (children
// before their parents). Shared by trace.json and the exporters.
import { closeSync, fstatSync, readSync } from 'node:fs';
import path from 'node:path';
import { openReadOnly } from '../common/files.js';
import { PROCESSES_DIR } from '../common/run-dir.js';
import { SPAN_FIELDS, type ProcessReport } from '../common/types.js';

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

/**
 * The spans of one process report, in file order (end order). Only the
 * records the report accounts for (`spans.written`) are read, so a live run's
 * later appends never point at functions the report does not list yet; a
 * missing or unreadable file gives no spans.
 */
export function readSpans(outDir: string, report: ProcessReport): SpanRecord[] {
  const info = report.spans;
  if (!info || info.written <= 0 || typeof info.file !== 'string' || path.basename(info.file) !== info.file) return [];
  let fd: number;
  try {
    fd = openReadOnly(path.join(outDir, PROCESSES_DIR, info.file));
  } catch {
    return [];
  }
  let bytes: Buffer;
  try {
    const count = Math.min(info.written, Math.floor(fstatSync(fd).size / RECORD_BYTES));
    bytes = Buffer.alloc(count * RECORD_BYTES);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    bytes = bytes.subarray(0, at - (at % RECORD_BYTES));
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
  const origin = report.timeOrigin ?? report.startedAt;
  const functions = report.functions.length;
  const out: SpanRecord[] = [];
  for (let at = 0; at < bytes.length; at += RECORD_BYTES) {
    const fn = bytes.readDoubleLE(at + 16);
    if (!(Number.isInteger(fn) && fn >= 0 && fn < functions)) continue;
    out.push({
      id: bytes.readDoubleLE(at),
      parentId: bytes.readDoubleLE(at + 8),
      fn,
      startEpochMs: origin + bytes.readDoubleLE(at + 24),
      durationMs: Math.max(0, bytes.readDoubleLE(at + 32)),
      error: (bytes.readDoubleLE(at + 40) & 1) === 1,
    });
  }
  return out;
}
