// Writes this process's (or worker's) report into the run directory: at
// exit, and every interval while it runs, so a crash loses at most one interval.
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { ensurePrivateDir, PROCESSES_DIR, writeFileAtomic } from '../common/files.js';
import type { ProcessReport } from '../common/types.js';
import { snapshot } from './runtime/recorder.js';
import { candidates, matched, warn, warnings } from './runtime/state.js';

const startedAt = Date.now();

export function processReport(): ProcessReport {
  return {
    version: 1,
    pid: process.pid,
    threadId,
    runtime: 'node',
    runtimeVersion: process.version,
    argv: process.argv.slice(),
    startedAt,
    functions: snapshot(),
    matched: [...matched],
    candidates,
    warnings,
  };
}

export function startReportWriter(outDir: string, intervalMs: number): void {
  const dir = path.join(outDir, PROCESSES_DIR);
  const file = path.join(dir, `${process.pid}-${threadId}.json`);
  let failed = false;
  const flush = () => {
    if (failed) return;
    try {
      ensurePrivateDir(dir);
      writeFileAtomic(file, JSON.stringify(processReport()));
    } catch (error) {
      failed = true;
      warn(`cannot write results to ${dir}: ${(error as Error).message}`);
    }
  };
  process.on('exit', flush);
  if (intervalMs > 0) setInterval(flush, intervalMs).unref();
}
