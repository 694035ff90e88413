// The files `tanzhen run --out DIR` writes next to summary.json for people and
// tools to open: trace.json (Chrome Trace Event Format) and report.html.
// Each that fails costs one warning line, never the run's exit code, and
// leaves no earlier run's file behind to pass for this one's.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ProcessReport, Summary } from '../common/types.js';
import { readProcessReports } from '../common/run-dir/reports.js';
import { TRACE_FILE, writeChromeTrace } from './chrome-trace.js';
import { HTML_FILE, writeHtmlReport } from './html/render.js';

export function writeOutputs(outDir: string, summary: Summary, options: { cwd?: string; warn: (message: string) => void }): void {
  let reports: ProcessReport[] = [];
  try {
    reports = readProcessReports(outDir);
  } catch (error) {
    options.warn(`could not read the process reports: ${(error as Error).message}`);
  }
  const attempt = (file: string, write: () => void) => {
    try {
      write();
    } catch (error) {
      options.warn(`could not write ${file}: ${(error as Error).message}`);
      try {
        rmSync(path.join(outDir, file), { force: true });
      } catch {
        // Not a file we can remove (a directory, say): the warning stands.
      }
    }
  };
  attempt(TRACE_FILE, () => writeChromeTrace(outDir, reports, { cwd: options.cwd }));
  attempt(HTML_FILE, () => writeHtmlReport(outDir, summary, reports, { cwd: options.cwd }));
}
