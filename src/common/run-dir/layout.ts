// The run directory's layout, for everyone who reads or writes it (the
// launcher, the Node agent; python/bootstrap/tanzhen_probe mirrors the names):
//
//   .tanzhen          marker: tanzhen made this directory and may replace the files below
//   .tanzhen.lock     the pid of the launcher that owns the directory while its run lasts
//   .tanzhen.targets  the targets, one a line, when too many for an environment variable
//   run.json summary.json trace.json report.html
//   processes/<pid>-<thread>.json|.spans|.otel, and .<name>.<random>.tmp while being written
import path from 'node:path';
import { readPrivate } from '../files.js';

export const MARKER_FILE = '.tanzhen';
export const LOCK_FILE = '.tanzhen.lock';
export const TARGETS_FILE = '.tanzhen.targets';
export const RUN_FILE = 'run.json';
export const SUMMARY_FILE = 'summary.json';
export const TRACE_FILE = 'trace.json';
export const HTML_FILE = 'report.html';
export const PROCESSES_DIR = 'processes';

/** The files a run writes at the top of the directory: the only ones a later run removes there. */
export const RESULT_FILES = [RUN_FILE, SUMMARY_FILE, TRACE_FILE, HTML_FILE, TARGETS_FILE];

/** Names inside processes/ that a probed process writes (and a later run may remove). */
export const PROCESS_FILE = /^(?:\d+-\d+\.(?:json|spans|otel|started|failed-[A-Za-z0-9]+)|\.\d+-\d+\.(?:json|spans|otel)\.[0-9a-f]+\.tmp)$/;
/** Temporary files of the top-level results (left by a run that was killed while writing). */
export const RESULT_TEMP = new RegExp(`^\\.(?:${RESULT_FILES.map((f) => f.replace(/\./g, '\\.')).join('|')})\\.[0-9a-f]+\\.tmp$`);

export const MARKER_TEXT = 'This directory holds the results of a tanzhen run. tanzhen replaces only its own files here.\n';

export function processFiles(outDir: string, pid: number, thread: number): { dir: string; report: string; spans: string; otel: string; spansName: string } {
  const dir = path.join(outDir, PROCESSES_DIR);
  const base = `${pid}-${thread}`;
  return { dir, report: path.join(dir, `${base}.json`), spans: path.join(dir, `${base}.spans`), otel: path.join(dir, `${base}.otel`), spansName: `${base}.spans` };
}

/** The targets the launcher wrote to TANZHEN_TRACE_FILE. */
export function readTargetsFile(file: string): string {
  return readPrivate(file).toString('utf8');
}
