// One-line notes after a run about what the figures leave out.
import type { Summary } from '../common/types.js';

/** Spans past --max-spans are counted and timed, but not kept as individual calls (trace.json, OTLP). */
export function droppedSpansNote(summary: Summary): string | undefined {
  const n = summary.droppedSpans ?? 0;
  if (n === 0) return undefined;
  return `${n} call${n === 1 ? ' was' : 's were'} counted but not kept as individual spans (trace.json, OTLP): past --max-spans per process; raise it with --max-spans N`;
}
