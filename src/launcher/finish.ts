// `tanzhen run`, after the command: the reports merged into summary.json,
// the other files and the table. Loaded while the command runs (run.ts), so
// none of it delays the program's start.
import { isatty } from 'node:tty';
import { readProcessReports } from '../common/run-dir/reports.js';
import { writeSummary, type RunRecord } from '../common/run-dir/results.js';
import { SUMMARY_FILE } from '../common/run-dir/layout.js';
import { writeStderr } from '../common/stderr.js';
import type { Summary } from '../common/types.js';
import { buildSummary } from '../report/summary.js';
import { renderTable, type TableOptions } from '../report/table.js';
import type { TableArgs } from './args.js';
import type { ChildResult } from './child.js';
import { missingData } from './no-data.js';
import { droppedSpansNote, treeLimitNote } from './notes.js';
import { warn, writeQuietly } from './run.js';
import type { WarningRelay } from './warnings.js';

/** After the command: warnings, summary.json and the other files, the table. Each step fails alone, with one warning. */
export async function finish(run: {
  outDir: string;
  out: string | undefined;
  cwd: string;
  quiet: boolean;
  table: TableArgs;
  trace: string[];
  record: RunRecord;
  result: ChildResult;
  relay: WarningRelay;
}): Promise<Summary | undefined> {
  const { outDir, out, result } = run;
  let summary: Summary;
  try {
    const reports = readProcessReports(outDir);
    run.relay.flush(reports);
    summary = buildSummary(reports, { command: run.record.command, exitCode: result.code, signal: result.signal ?? undefined, targets: run.trace, noData: missingData(outDir, reports, result), cwd: run.cwd });
  } catch (error) {
    warn(`could not summarise the run: ${(error as Error).message}`);
    return undefined;
  }
  if (out) {
    try {
      writeQuietly(outDir, { ...run.record, exitCode: result.code, signal: result.signal ?? undefined });
      writeSummary(outDir, summary);
      // trace.json and report.html: one warning line each if they fail.
      (await import('../report/outputs.js')).writeOutputs(outDir, summary, { cwd: run.cwd, warn });
    } catch (error) {
      warn(`could not write ${SUMMARY_FILE} to ${outDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (!run.quiet) printSummary(summary, { top: run.table.top, sort: run.table.sort, saved: out !== undefined });
  else for (const u of summary.unmatched) warn(`unmatched ${u.target}: ${u.message}`);
  for (const note of [treeLimitNote(summary), droppedSpansNote(summary)]) if (note) warn(note);
  return summary;
}

export function printSummary(summary: Summary, table: Pick<TableOptions, 'top' | 'sort' | 'saved'> = {}): void {
  // process.stderr only for a terminal's width: on a pipe it would make the pipe non-blocking.
  const tty = isatty(2);
  const color = tty && !('NO_COLOR' in process.env);
  writeStderr(renderTable(summary, { ...table, width: (tty && process.stderr.columns) || Number(process.env.COLUMNS) || 120, color }));
}

