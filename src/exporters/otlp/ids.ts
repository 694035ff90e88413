// Trace and span ids for the calls of one process (or worker thread).
// Deterministic: a span id is the call's sequence number (unique within its
// process/thread) XORed into a 64-bit base derived from the run's random
// salt, the pid and the thread id, so it is unique within the process,
// computed without a table, and the same for the span and for every child
// that names it as parent. A root call's trace id is built the same way
// from a second, 128-bit base: unique per root within the process, random
// across processes and runs, and no hashing per call.
import { createHash } from 'node:crypto';

const ZERO_SPAN = '0'.repeat(16);

export class IdSpace {
  private readonly hi: number;
  private readonly lo: number;
  private readonly traceHigh: string;
  private readonly traceHi: number;
  private readonly traceLo: number;

  constructor(salt: string, pid: number, threadId: number) {
    const digest = createHash('sha256').update(`${salt}/${pid}/${threadId}`).digest();
    this.hi = digest.readUInt32BE(0);
    this.lo = digest.readUInt32BE(4);
    this.traceHigh = digest.toString('hex', 8, 16);
    this.traceHi = digest.readUInt32BE(16);
    this.traceLo = digest.readUInt32BE(20);
  }

  /** 16 hex digits; never all zeros (invalid in OpenTelemetry). */
  spanId(seq: number): string {
    const hi = (this.hi ^ Math.floor(seq / 0x1_0000_0000)) >>> 0;
    const lo = (this.lo ^ seq) >>> 0;
    const id = hex8(hi) + hex8(lo);
    return id === ZERO_SPAN ? '0000000000000001' : id;
  }

  /** 32 hex digits: the trace of the root call `seq`. */
  traceId(rootSeq: number): string {
    return this.traceHigh + hex8((this.traceHi ^ Math.floor(rootSeq / 0x1_0000_0000)) >>> 0) + hex8((this.traceLo ^ rootSeq) >>> 0);
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
