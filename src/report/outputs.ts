// The files `tanzhen run --out DIR` writes next to summary.json for people and
// tools to open: trace.json (Chrome Trace Event Format) and report.html.
// Each that fails costs one warning line, never the run's exit code.
import type { Summary } from '../common/types.js';
import { readReports } from '../launcher/results.js';
import { writeChromeTrace } from './chrome-trace.js';
import { writeHtmlReport } from './html/render.js';

export function writeOutputs(outDir: string, summary: Summary, options: { cwd?: string; warn: (message: string) => void }): void {
  let reports;
  try {
    reports = readReports(outDir);
  } catch (error) {
    options.warn(`could not read the process reports for trace.json and report.html: ${(error as Error).message}`);
    return;
  }
  try {
    writeChromeTrace(outDir, reports, { cwd: options.cwd });
  } catch (error) {
    options.warn(`could not write trace.json: ${(error as Error).message}`);
  }
  try {
    writeHtmlReport(outDir, summary, reports, { cwd: options.cwd });
  } catch (error) {
    options.warn(`could not write report.html: ${(error as Error).message}`);
  }
}
