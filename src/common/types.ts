// The shapes that cross a boundary: launcher ⇄ agent (env), agent → run
// directory (process reports, also written by the Python bootstrap), and
// launcher → user (summary.json). Defined once here.

/** Where a target's functions live. */
export type ModuleSpec =
  | { kind: 'file'; path: string } // absolute path, extension optional
  | { kind: 'glob'; pattern: string } // absolute glob pattern
  | { kind: 'builtin'; name: string } // 'fs', 'fs/promises' (no node: prefix)
  | { kind: 'package'; name: string; subpath: string } // 'express', '' | 'lib/router'
  | { kind: 'python'; name: string }; // dotted Python module name

/** One parsed `<module>:<name>` target. */
export interface Target {
  /** The spec as the user wrote it: the key for matching results back. */
  spec: string;
  module: ModuleSpec;
  /** Dotted name path: ['sleep'], ['Client', 'query'], ['Client', 'prototype', 'query'], ['*']. */
  name: string[];
}

/** A probed function and its figures, as both process reports and summary.json carry them. Durations in ms. */
export interface FunctionFigures {
  /** The target spec that matched it, as written. */
  target: string;
  /** Qualified name as the user would write it: sleep, Client.query, default. */
  name: string;
  /** Absolute path, or node:fs for built-ins. */
  file: string;
  line?: number;
  calls: number;
  errors: number;
  totalMs: number;
  /** Total minus the time spent in probed calls made from inside it. */
  selfMs: number;
  maxMs: number;
  /** Set when only 1 call in `sampleEvery` was timed (all are counted). */
  sampleEvery?: number;
  /**
   * Python: how it is timed. 'definition': its own code, rewritten where it is
   * defined (every call, however the function is reached); 'wrapper': a wrapper
   * put in its place (no source to rewrite, a name bound by assignment...), so
   * only calls through the attribute are timed.
   */
  probedBy?: 'definition' | 'wrapper';
  /**
   * Set when calls were still open when the process exited (process.exit()
   * inside them, an await that never resumed): each is counted and timed
   * until the exit, and its subtree kept.
   */
  unfinished?: number;
}

/** Per-function figures in one process report. */
export interface FunctionRecord extends FunctionFigures {
  /** Sparse log-linear histogram of durations in nanoseconds: [bucketIndex, count] pairs. */
  histogram: Array<[number, number]>;
}

/** A process's call tree as columns: node i is (parent[i], fn[i], calls[i], totalMs[i], selfMs[i]), as in TreeRecord. */
export interface TreeColumns {
  parent: number[];
  fn: number[];
  calls: number[];
  totalMs: number[];
  selfMs: number[];
}

/** TreeRecord.fn of an "other calls" node (see ProcessReport.treeLimit). */
export const OTHER_CALLS = -1;

/**
 * One node of a process's call tree: calls of `fn` (index into functions) made from `parent` (node index, -1 at the root).
 * fn -1: "other calls", every call on a path first seen after the tree was full, with all it called.
 */
export interface TreeRecord {
  parent: number;
  fn: number;
  calls: number;
  totalMs: number;
  selfMs: number;
}

/**
 * Individual calls, kept when an output needs them (trace.json, OTLP): a
 * binary file of little-endian float64 records of SPAN_FIELDS values each.
 */
export const SPAN_FIELDS = 6; // id, parentId (0: none), fn index, start (ms since timeOrigin), duration ms, flags (1: error)

export interface SpanInfo {
  /** File name inside `processes/`. */
  file: string;
  written: number;
  dropped: number;
}

/** The probe's own cost inside each timed window, subtracted from every duration. */
export interface Calibration {
  overheadNs: number;
  method: string;
}

/** What one probed process (or worker thread) writes to `<run dir>/processes/`. */
export interface ProcessReport {
  version: 1;
  pid: number;
  threadId: number;
  runtime: 'node' | 'python';
  runtimeVersion: string;
  argv: string[];
  startedAt: number;
  /** performance.timeOrigin (epoch ms) of this process: spans' start times count from it. */
  timeOrigin?: number;
  functions: FunctionRecord[];
  tree?: TreeRecord[];
  /** The Node agent writes its tree this way; the run directory's reader turns it into `tree`. */
  treeColumns?: TreeColumns;
  /** Set when the tree reached this many paths: later new paths went into "other calls" nodes (fn -1). */
  treeLimit?: number;
  spans?: SpanInfo;
  calibration?: Calibration;
  /** Targets that matched at least one function here. */
  matched: string[];
  /** For targets whose module loaded but whose name matched nothing: the names that exist there. */
  candidates: Record<string, string[]>;
  /** Agent-side problems worth one line each (already printed once on stderr). */
  warnings: string[];
  /** Targets whose module loaded here but could not be probed: why (e.g. 'could not be parsed'). */
  unprobed?: Record<string, string>;
  /** Written as the process (or thread) ended, not by the periodic flush. */
  final?: boolean;
}

export interface SummaryFunction extends FunctionFigures {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * The merged latency histogram of the timed calls, [bucketIndex, count] pairs by
   * rising index (src/common/histogram.ts): what `tanzhen diff` tests and
   * `tanzhen report A B` merges. Absent in summaries written before it was added.
   */
  histogram?: Array<[number, number]>;
}

/** The call tree aggregated by path: root → child → … */
export interface TreeNode {
  name: string;
  file: string;
  calls: number;
  totalMs: number;
  selfMs: number;
  children: TreeNode[];
}

export interface SummaryProcess {
  pid: number;
  threadId?: number;
  runtime: string;
  runtimeVersion: string;
  argv: string[];
}

export interface Unmatched {
  target: string;
  message: string;
}

/** summary.json */
export interface Summary {
  version: 1;
  command: string[];
  exitCode: number | null;
  signal?: string;
  processes: SummaryProcess[];
  functions: SummaryFunction[];
  tree: TreeNode[];
  unmatched: Unmatched[];
  /** Spans not kept because a process reached its cap (calls are still counted). */
  droppedSpans: number;
  /** Set when a process's call tree reached its cap (--max-nodes): later new paths are under "(other calls)". */
  treeLimit?: number;
  calibration?: Calibration;
  /** The working directory of the run: `tanzhen diff` matches files by their path inside it. */
  cwd?: string;
}

/** One side of a function's comparison in `tanzhen diff --json`. Durations in ms. */
export interface DiffSide {
  calls: number;
  /** Calls whose duration was recorded (fewer than calls when sampled): the test's sample size. */
  timed: number;
  errors: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export type DiffVerdict = 'slower' | 'faster' | 'unchanged' | 'new' | 'gone' | 'too few calls';

/** `tanzhen diff --json`, version 1 (docs/diff.md). */
export interface DiffReport {
  version: 1;
  /** Where each side came from, as given on the command line. */
  base: string;
  head: string;
  /** The settings the verdicts were reached with. */
  test: { name: 'brunner-munzel'; alpha: number; minChange: number; minCalls: number };
  /** How many runs each side merges (a directory of out directories: repeated runs). */
  runs: { base: number; head: number };
  functions: DiffFunction[];
  /** Set with --fail-on: the rules, and the ones a function broke. */
  failOn?: { rules: string[]; failed: Array<{ target: string; name: string; file: string; rule: string }> };
}

export interface DiffFunction {
  target: string;
  name: string;
  file: string;
  /** Absent for a `new` function. */
  base?: DiffSide;
  /** Absent for a `gone` function. */
  head?: DiffSide;
  verdict: DiffVerdict;
  /** Relative changes, head / base − 1 (0.1: 10% more); absent unless both sides have calls. */
  change?: { meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; shift: number };
  /** Two-sided p-value of the Brunner–Munzel test; absent unless both sides have enough timed calls. */
  p?: number;
  /** With repeated runs (3 or more in all): p-value of a t-test on the runs' log medians, which the verdict also needs below alpha. */
  pRuns?: number;
  /** Estimated P(head call > base call) + ½ P(equal): 0.5 when neither is slower. */
  probabilitySlower?: number;
  /** Each percentile's distribution-free (1 − alpha) confidence intervals in the two runs: apart (higher, lower) or not. */
  percentiles?: Record<'p50' | 'p95' | 'p99', 'higher' | 'lower' | 'overlap'>;
  /** Total time in head minus base, ms: the sort key (impact). */
  impactMs: number;
}

/** Environment variables that carry a run's settings into probed processes. */
export const ENV = {
  trace: 'TANZHEN_TRACE',
  /** A file holding the targets instead (too many for TANZHEN_TRACE), one a line. */
  traceFile: 'TANZHEN_TRACE_FILE',
  out: 'TANZHEN_OUT',
  cwd: 'TANZHEN_CWD',
  calls: 'TANZHEN_CALLS',
  run: 'TANZHEN_RUN',
  /** '1': keep individual calls (spans) for trace.json and exporters. */
  spans: 'TANZHEN_SPANS',
  maxSpans: 'TANZHEN_MAX_SPANS',
  /** Call-tree paths kept per process; past it, new paths go into their parent's "other calls" node. */
  maxNodes: 'TANZHEN_MAX_NODES',
  flushMs: 'TANZHEN_FLUSH_MS',
  /** '1': calls nest across timers and callbacks too (AsyncLocalStorage, opt-in). */
  asyncContext: 'TANZHEN_ASYNC_CONTEXT',
  /** A number in (0, 1]: time that share of calls; 'auto': adaptive. */
  sample: 'TANZHEN_SAMPLE',
  /** '1' (OTLP export): note the program's active OpenTelemetry span at each root call, to join its traces. */
  otelContext: 'TANZHEN_OTEL_CONTEXT',
} as const;
