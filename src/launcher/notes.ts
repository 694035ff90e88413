// One-line notes after a run about what the figures leave out.
import type { Summary } from '../common/types.js';

/** Paths past --max-nodes are in the tree under "(other calls)"; the per-function figures are whole. */
export function treeLimitNote(summary: Summary): string | undefined {
  if (summary.treeLimit === undefined) return undefined;
  return `the call tree reached ${summary.treeLimit} paths in a process: calls on paths first seen after that are under "(other calls)" in the tree (the function figures are complete); raise it with --max-nodes N`;
}

/** Spans past --max-spans are counted and timed, but not kept as individual calls (trace.json, OTLP). */
export function droppedSpansNote(summary: Summary): string | undefined {
  const n = summary.droppedSpans ?? 0;
  if (n === 0) return undefined;
  return `${n} call${n === 1 ? ' was' : 's were'} counted but not kept as individual spans (trace.json, OTLP): past --max-spans per process; raise it with --max-spans N`;
}
