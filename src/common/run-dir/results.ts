// The run's own files at the top of the run directory: run.json (what was
// run, written by the launcher before the program starts and again with its
// exit) and summary.json (the merged results), written as a stream so any
// number of functions and tree nodes fits.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readPrivate, writeFileAtomic, writeFileStreamed } from '../files.js';
import { writeJson } from '../json.js';
import type { Summary } from '../types.js';
import { RUN_FILE, SUMMARY_FILE } from './layout.js';

/** run.json */
export interface RunRecord {
  command: string[];
  targets: string[];
  cwd: string;
  startedAt: number;
  exitCode?: number | null;
  signal?: string;
}

export function writeRunRecord(outDir: string, record: RunRecord): void {
  writeFileAtomic(path.join(outDir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
}

/** run.json, or undefined when there is none (or it is not one). */
export function readRunRecord(outDir: string): RunRecord | undefined {
  const file = path.join(outDir, RUN_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readPrivate(file).toString('utf8')) as RunRecord;
    return Array.isArray(record.command) && Array.isArray(record.targets) ? record : undefined;
  } catch {
    return undefined;
  }
}

export function writeSummary(outDir: string, summary: Summary): void {
  writeFileStreamed(path.join(outDir, SUMMARY_FILE), (write) => {
    writeJson(write, summary, 2, 64, true);
    write('\n');
  });
}

/** Where a run's summary.json is: `target` is a run directory or the file itself. */
export function summaryPath(target: string): string {
  return target.endsWith('.json') ? target : path.join(target, SUMMARY_FILE);
}

/** A summary.json (throws with the file's name when it cannot be read or is not one). */
export function readSummary(file: string): Summary {
  let summary: Summary;
  try {
    summary = JSON.parse(readPrivate(file).toString('utf8')) as Summary;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot read ${file}: ${why}`);
  }
  if (summary?.version !== 1 || !Array.isArray(summary.functions)) throw new Error(`${file} is not a tanzhen summary.json`);
  return summary;
}
