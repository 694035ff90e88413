// The runs that `report`, `diff` and `run --baseline` are given on the command
// line, read through the run directory's module (src/common/run-dir/): an out
// directory, a summary.json file, or a directory of out directories (repeated
// runs). What cannot be read is the user's mistake: one UsageError line.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RUN_FILE, SUMMARY_FILE } from '../common/run-dir/layout.js';
import { readProcessReports } from '../common/run-dir/reports.js';
import { readRunRecord, readSummary } from '../common/run-dir/results.js';
import type { Summary } from '../common/types.js';
import { buildSummary } from '../report/summary.js';
import { UsageError } from './errors.js';

/**
 * One run. A directory with per-process data is merged again from it (so it
 * also works while its run goes on); otherwise its summary.json is read.
 */
export function readRun(given: string): Summary {
  const where = path.resolve(given);
  let isDir: boolean;
  try {
    isDir = statSync(where).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${given}: ${code === 'ENOENT' ? 'no such file or directory' : code}`);
  }
  if (isDir) {
    const reports = readProcessReports(where);
    const record = reports.length > 0 ? readRunRecord(where) : undefined;
    if (record) return buildSummary(reports, { command: record.command, exitCode: record.exitCode ?? null, signal: record.signal, targets: record.targets, cwd: record.cwd });
    // Written by the preload alone (TANZHEN_OUT without the launcher): no run.json, the reports say what ran.
    if (reports.length > 0 && !existsSync(path.join(where, SUMMARY_FILE))) {
      const targets = [...new Set(reports.flatMap((r) => [...r.matched, ...Object.keys(r.candidates)]))];
      return buildSummary(reports, { command: reports[0].argv, exitCode: null, targets });
    }
    if (!existsSync(path.join(where, SUMMARY_FILE))) throw new UsageError(`${given} holds no tanzhen results (no ${SUMMARY_FILE})`);
  }
  try {
    return readSummary(isDir ? path.join(where, SUMMARY_FILE) : where);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Repeated runs: a directory holding no results itself but out directories (runs/base/1, 2, …) gives each of them, by name. */
export function readRuns(given: string): Summary[] {
  const where = path.resolve(given);
  let names: string[] = [];
  try {
    if (statSync(where).isDirectory() && !existsSync(path.join(where, SUMMARY_FILE)) && !existsSync(path.join(where, RUN_FILE))) {
      names = readdirSync(where, { withFileTypes: true })
        .filter((e) => e.isDirectory() && (existsSync(path.join(where, e.name, SUMMARY_FILE)) || existsSync(path.join(where, e.name, RUN_FILE))))
        .map((e) => e.name)
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    }
  } catch {
    // readRun says what is wrong with it.
  }
  if (names.length === 0) return [readRun(given)];
  return names.map((name) => readRun(path.join(given, name)));
}
