// `tanzhen diff BASE HEAD` and the end of `tanzhen run --baseline DIR`: two
// runs compared function by function (src/report/diff/), printed as a table,
// JSON or markdown; --fail-on turns a significant regression into exit 1.
import { isatty } from 'node:tty';
import { stringifyJson } from '../common/json.js';
import { writeStderr } from '../common/stderr.js';
import type { DiffReport, Summary } from '../common/types.js';
import { compareRuns, DEFAULTS, type CompareOptions, type Labelled } from '../report/diff/compare.js';
import { mergeSummaries } from '../report/merge.js';
import { failures } from '../report/diff/cells.js';
import { applyFailOn, FailOnError, parseFailOn, type Rule } from '../report/diff/fail-on.js';
import { renderDiffMarkdown } from '../report/diff/render-markdown.js';
import { renderDiffTable } from '../report/diff/render-table.js';
import type { DiffArgs } from './args.js';
import { UsageError } from './errors.js';
import { readRuns } from './read-runs.js';

export function diff(args: DiffArgs): void {
  const rules = failOnRules(args.failOn);
  const options: CompareOptions = { alpha: args.alpha ?? DEFAULTS.alpha, minChange: args.minChange ?? DEFAULTS.minChange, minCalls: args.minCalls ?? DEFAULTS.minCalls };
  const report = compare(readSide(args.base), readSide(args.head), rules, options);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(report.failOn?.failed.length ? 1 : 0);
    throw error;
  });
  if (args.format === 'json') process.stdout.write(stringifyJson(report, 2, 64, true) + '\n');
  else if (args.format === 'markdown') process.stdout.write(renderDiffMarkdown(report));
  else {
    const tty = isatty(1);
    process.stdout.write(renderDiffTable({ ...report, failOn: undefined }, { width: (tty && process.stdout.columns) || Number(process.env.COLUMNS) || 160, color: tty && !('NO_COLOR' in process.env) }));
  }
  // On stderr whatever the format, so a CI log shows why the job failed.
  for (const line of failures(report)) writeStderr(`tanzhen: regression: ${line}\n`);
  process.exitCode = report.failOn?.failed.length ? 1 : 0;
}

/** The --fail-on rules, or a usage error naming what could not be read. */
export function failOnRules(expression: string | undefined): Rule[] | undefined {
  if (expression === undefined) return undefined;
  try {
    return parseFailOn(expression);
  } catch (error) {
    if (error instanceof FailOnError) throw new UsageError(error.message);
    throw error;
  }
}

/** One side of a comparison: a run, or repeated runs (merged, and kept apart for the run-to-run test). */
export function readSide(given: string): Labelled {
  const runs = readRuns(given);
  for (const summary of runs) {
    if (summary.functions.some((f) => f.histogram === undefined && f.calls > 0)) {
      throw new UsageError(`${given}: summary.json has no latency histograms (written by an older tanzhen); give the out directory, whose per-process data has them`);
    }
  }
  return runs.length === 1 ? { label: given, summary: runs[0] } : { label: given, summary: mergeSummaries(runs), runs };
}

export function compare(base: Labelled, head: Labelled, rules: Rule[] | undefined, options: CompareOptions = DEFAULTS): DiffReport {
  const report = compareRuns(base, head, options);
  if (rules) report.failOn = applyFailOn(report, rules);
  return report;
}

/** `run --baseline`: the diff on stderr, like the run's own table. True when --fail-on found a regression. */
export function printBaselineDiff(baseline: Labelled, summary: Summary, rules: Rule[] | undefined): boolean {
  const report = compare(baseline, { label: 'this run', summary }, rules);
  const tty = isatty(2);
  writeStderr(renderDiffTable(report, { width: (tty && process.stderr.columns) || Number(process.env.COLUMNS) || 160, color: tty && !('NO_COLOR' in process.env) }));
  return (report.failOn?.failed.length ?? 0) > 0;
}
