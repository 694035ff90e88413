// Reading a run directory back: the per-process reports, the run's own
// record (run.json), and summary.json.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readPrivate } from '../common/files.js';
import { PROCESSES_DIR, RUN_FILE, SUMMARY_FILE } from '../common/run-dir.js';
import type { ProcessReport } from '../common/types.js';

export interface RunRecord {
  command: string[];
  targets: string[];
  cwd: string;
  startedAt: number;
  exitCode?: number | null;
  signal?: string;
}

export { RUN_FILE, SUMMARY_FILE };

/** Every complete process report; a file that cannot be read is skipped (it may be mid-rename). */
export function readReports(outDir: string): ProcessReport[] {
  const dir = path.join(outDir, PROCESSES_DIR);
  if (!existsSync(dir)) return [];
  const reports: ProcessReport[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      const report = JSON.parse(readPrivate(path.join(dir, name)).toString('utf8')) as ProcessReport;
      if (report.version === 1 && Array.isArray(report.functions)) reports.push(report);
    } catch {
      // Not a report we can use.
    }
  }
  return reports;
}
