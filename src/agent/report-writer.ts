// Writes this process's (or worker's) report into the run directory: at
// exit, and every interval while it runs, so `tanzhen report` works on a
// live run and a process killed by SIGKILL loses at most one interval.
import { threadId } from './thread.js';
import { ensurePrivateDir } from '../common/files.js';
import { processFiles } from '../common/run-dir/layout.js';
import { writeProcessReport } from '../common/run-dir/reports.js';
import type { Calibration, ProcessReport } from '../common/types.js';
import { snapshot } from './runtime/recorder.js';
import { flushSpans, spanInfo } from './runtime/spans.js';
import { candidates, matched, unprobed, warn, warnings } from './runtime/state.js';
import { markEnd, markStart } from './report-marks.js';
import { treeColumns, treeLimit } from './runtime/tree.js';
import { flushOnSignals } from './signal-flush.js';
import { flushWorkersNow, flushWorkersOnStop } from './worker-flush.js';

const startedAt = Date.now();
let calibration: Calibration | undefined;

export function setCalibration(value: Calibration): void {
  calibration = value;
}

export function processReport(final = false): ProcessReport {
  return {
    version: 1,
    pid: process.pid,
    threadId: threadId(),
    runtime: 'node',
    runtimeVersion: process.version,
    argv: process.argv.slice(),
    startedAt,
    timeOrigin: performance.timeOrigin,
    functions: snapshot(),
    treeColumns: treeColumns(),
    ...(treeLimit() !== undefined ? { treeLimit: treeLimit() } : {}),
    ...(spanInfo() ? { spans: spanInfo() } : {}),
    ...(calibration ? { calibration } : {}),
    matched: [...matched],
    candidates,
    warnings,
    ...(Object.keys(unprobed).length > 0 ? { unprobed } : {}),
    ...(final ? { final } : {}),
  };
}

export function reportPaths(outDir: string): ReturnType<typeof processFiles> {
  return processFiles(outDir, process.pid, threadId());
}

export function startReportWriter(outDir: string, intervalMs: number): void {
  const { dir, report } = reportPaths(outDir);
  let failed = false;
  const write = (final: boolean) => {
    if (failed) return;
    try {
      ensurePrivateDir(dir);
      flushSpans();
      writeProcessReport(report, processReport(final));
    } catch (error) {
      failed = true;
      warn(`cannot write results to ${dir}: ${(error as Error).message}`, { relayable: false });
      markEnd(report, (error as NodeJS.ErrnoException).code ?? 'error');
    }
  };
  markStart(report);
  const flush = () => write(true);
  // At exit, live workers are stopped by Node without an 'exit' of their own: they flush too.
  const flushAll = () => {
    flush();
    flushWorkersNow();
  };
  process.on('exit', flushAll);
  if (intervalMs > 0) setInterval(() => write(false), intervalMs).unref();
  try {
    flushWorkersOnStop(flush);
  } catch (error) {
    warn(`workers stopped from outside may lose their last ${intervalMs} ms: ${(error as Error).message}`);
  }
  try {
    flushOnSignals(flushAll);
  } catch (error) {
    warn(`a process killed by a signal may lose its last ${intervalMs} ms: ${(error as Error).message}`);
  }
}
