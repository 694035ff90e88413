// Which trace each call belongs to, and under which parent. Records arrive
// in END order: a synchronous child ends (and is read) before its parent,
// which may itself wait for its own parent, up to the root call, whose
// trace id decides the whole tree's. So a child whose parent has not been
// seen yet waits here, grouped under that parent, until the parent arrives.
// A root call's trace is the program's own (when it started inside a span
// of the program's OpenTelemetry SDK: see otel-context.ts) or a new one
// derived from the root's id.
//
// A parent that stays open too long (past `maxWaitMs`, or more than
// `maxPending` children waiting, or the end of the run: a dropped or
// never-ending call) is not waited for: its waiting descendants get the
// trace that parent would start if it were a root, and the parent, if it
// arrives later, keeps that trace. The links stay right; only a tree whose
// open part is not its root splits into two traces then.
import type { SpanRecord } from '../../common/run-dir/spans.js';
import type { IdSpace } from './ids.js';
import type { Source } from './tail.js';

export interface ResolvedSpan {
  source: Source;
  record: SpanRecord;
  traceId: string;
  /** Parent span id (hex), ours or the program's; undefined for a root of a new trace. */
  parentSpanId?: string;
  /** False in a trace the program's sampler dropped: not exported. */
  sampled: boolean;
}

interface TraceOf {
  traceId: string;
  sampled: boolean;
}

interface Waiting {
  since: number;
  children: SpanRecord[];
}

/** Entries kept per generation of the span → trace map (two generations: a late async child still finds its parent). */
const GENERATION = 50_000;

export class TraceResolver {
  private current = new Map<number, TraceOf>();
  private previous = new Map<number, TraceOf>();
  private readonly waiting = new Map<number, Waiting>();
  pendingCount = 0;

  constructor(
    private readonly source: Source,
    private readonly ids: IdSpace,
    private readonly options: { maxWaitMs: number; maxPending: number },
  ) {}

  /** Resolves what it can of `records` (and of what waited for them) into `out`. */
  add(records: SpanRecord[], now: number, out: ResolvedSpan[]): void {
    for (const record of records) {
      const known = this.traceOf(record.id) ?? (record.parentId === 0 ? this.rootTrace(record.id) : this.traceOf(record.parentId));
      if (known === undefined) {
        let w = this.waiting.get(record.parentId);
        if (!w) this.waiting.set(record.parentId, (w = { since: now, children: [] }));
        w.children.push(record);
        this.pendingCount++;
        continue;
      }
      this.emit(record, known, out);
      this.release(record.id, out);
    }
    this.expire(now, out);
  }

  /** Stops waiting for every parent (end of the run). */
  flush(out: ResolvedSpan[]): void {
    this.expire(Infinity, out, true);
  }

  private expire(now: number, out: ResolvedSpan[], all = false): void {
    for (const [parentId, w] of this.waiting) {
      if (!all && now - w.since < this.options.maxWaitMs && this.pendingCount <= this.options.maxPending) break; // oldest first
      // Give up on parentId: it is the root of what waited for it.
      if (this.traceOf(parentId) === undefined) this.remember(parentId, this.rootTrace(parentId));
      this.release(parentId, out);
    }
  }

  private emit(record: SpanRecord, trace: TraceOf, out: ResolvedSpan[]): void {
    let parentSpanId: string | undefined;
    if (record.parentId !== 0) parentSpanId = this.ids.spanId(record.parentId);
    else {
      const program = this.source.programParents.get(record.id);
      if (program) {
        parentSpanId = program.spanId;
        this.source.programParents.delete(record.id);
      }
    }
    out.push({ source: this.source, record, traceId: trace.traceId, parentSpanId, sampled: trace.sampled });
    this.remember(record.id, trace);
  }

  /**
   * Emits what waited for `id`, then what waited for those, and so on: a
   * worklist, not recursion, since a chain of waiting calls is as deep as
   * the program's calls went.
   */
  private release(id: number, out: ResolvedSpan[]): void {
    const parents = [id];
    while (parents.length > 0) {
      const parent = parents.pop()!;
      const w = this.waiting.get(parent);
      if (!w) continue;
      this.waiting.delete(parent);
      this.pendingCount -= w.children.length;
      const trace = this.traceOf(parent)!;
      for (const child of w.children) {
        this.emit(child, trace, out);
        parents.push(child.id);
      }
    }
  }

  private rootTrace(id: number): TraceOf {
    const program = this.source.programParents.get(id);
    return program ? { traceId: program.traceId, sampled: program.sampled } : { traceId: this.ids.traceId(id), sampled: true };
  }

  private traceOf(id: number): TraceOf | undefined {
    return this.current.get(id) ?? this.previous.get(id);
  }

  private remember(id: number, trace: TraceOf): void {
    if (this.current.size >= GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(id, trace);
  }
}
