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

/** Per-function figures in one process report. Durations in milliseconds. */
export interface FunctionRecord {
  target: string;
  name: string;
  file: string;
  line?: number;
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  /** Sparse log-linear histogram of durations in nanoseconds: [bucketIndex, count] pairs. */
  histogram: Array<[number, number]>;
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
  functions: FunctionRecord[];
  /** Targets that matched at least one function here. */
  matched: string[];
  /** For targets whose module loaded but whose name matched nothing: the names that exist there. */
  candidates: Record<string, string[]>;
  /** Agent-side problems worth one line each (already printed once on stderr). */
  warnings: string[];
}

export interface SummaryFunction {
  target: string;
  name: string;
  file: string;
  line?: number;
  calls: number;
  errors: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
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
  unmatched: Unmatched[];
}

/** Environment variables that carry a run's settings into probed processes. */
export const ENV = {
  trace: 'TANZHEN_TRACE',
  out: 'TANZHEN_OUT',
  cwd: 'TANZHEN_CWD',
  calls: 'TANZHEN_CALLS',
  run: 'TANZHEN_RUN',
} as const;
