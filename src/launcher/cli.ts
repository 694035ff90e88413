// Entry of the `tanzhen` command.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { HELP, parseArgs } from './args.js';
import { UsageError } from './errors.js';
import { writeJson } from '../common/json.js';
import { buildSummary } from '../report/summary.js';
import { renderTree } from '../report/tree-text.js';
import { readProcessReports } from '../common/run-dir/reports.js';
import { readRunRecord, readSummary, summaryPath } from '../common/run-dir/results.js';
import { SUMMARY_FILE } from '../common/run-dir/layout.js';
import { printSummary, run } from './run.js';
import { writeStderr } from '../common/stderr.js';
import type { ReportArgs } from './args.js';
import type { Summary } from '../common/types.js';

function version(): string {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/** `tanzhen report DIR`: merges again from the per-process data, so it also works while the run goes on. */
function report(args: ReportArgs): void {
  const dir = path.resolve(args.dir);
  const summaryFile = summaryPath(dir);
  let summary: Summary;
  const reports = readProcessReports(dir);
  const record = reports.length > 0 ? readRunRecord(dir) : undefined;
  if (record) {
    summary = buildSummary(reports, { command: record.command, exitCode: record.exitCode ?? null, signal: record.signal, targets: record.targets });
  } else if (existsSync(summaryFile)) {
    try {
      summary = readSummary(summaryFile);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else {
    throw new UsageError(`${args.dir} holds no tanzhen results (no ${SUMMARY_FILE})`);
  }
  // `tanzhen report DIR --tree | head`: a reader that stops early ends the command quietly, as with git or ls.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  if (args.json) {
    writeJson((chunk) => process.stdout.write(chunk), summary, 2);
    process.stdout.write('\n');
  } else if (args.tree) process.stdout.write(renderTree(summary, { width: process.stdout.columns || 120 }));
  else printSummary(summary, { top: args.top, sort: args.sort, saved: true });
}

async function main(argv: string[]): Promise<void> {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.kind) {
      case 'help':
        process.stdout.write(HELP);
        return;
      case 'version':
        process.stdout.write(version() + '\n');
        return;
      case 'report':
        return report(parsed.args);
      case 'run':
        return await run(parsed.args);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeStderr(`tanzhen: ${error.message}\n${error.hint ? `usage: ${error.hint}\n` : ''}`);
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error) => {
  writeStderr(`tanzhen: internal error: ${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 70;
});
