// Entry of the `tanzhen` command. What only `tanzhen report` and `tanzhen
// diff` need loads when they run: `tanzhen run` starts the program first
// (docs/startup.md).
import { readFileSync } from 'node:fs';
import { HELP, parseArgs } from './args.js';
import { UsageError } from './errors.js';
import { run } from './run.js';
import { writeStderr } from '../common/stderr.js';
import type { ReportArgs } from './args.js';
import type { Summary } from '../common/types.js';

function version(): string {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/** `tanzhen report DIR…`: one run, or several merged into one summary (repeated CI runs). */
async function report(args: ReportArgs): Promise<void> {
  const [{ writeJson }, { mergeSummaries, MergeError }, { renderTree }, { readRuns }, { printSummary }] = await Promise.all([
    import('../common/json.js'),
    import('../report/merge.js'),
    import('../report/tree-text.js'),
    import('./read-runs.js'),
    import('./finish.js'),
  ]);
  const summaries = args.dirs.flatMap(readRuns);
  let summary: Summary;
  try {
    summary = summaries.length === 1 ? summaries[0] : mergeSummaries(summaries);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  // `tanzhen report DIR --tree | head`: a reader that stops early ends the command quietly, as with git or ls.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  if (args.json) {
    writeJson((chunk) => process.stdout.write(chunk), summary, 2, 64, true);
    process.stdout.write('\n');
  } else if (args.tree) process.stdout.write(renderTree(summary, { width: process.stdout.columns || 120 }));
  // Several runs merged here are written nowhere: the "more" line points at files only for one run's directory.
  else printSummary(summary, { top: args.top, sort: args.sort, saved: summaries.length === 1 });
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
        return await report(parsed.args);
      case 'diff':
        return (await import('./diff.js')).diff(parsed.args);
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
