// `tanzhen run`: validate the targets, run the command with the probe
// preloaded, then merge what every probed process recorded into one table
// (stderr) and summary.json.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { isatty } from 'node:tty';
import path from 'node:path';
import { ensurePrivateDir } from '../common/files.js';
import { PROCESSES_DIR } from '../common/run-dir/layout.js';
import { writeStderr } from '../common/stderr.js';
import { findSourceFile } from '../common/source-file.js';
import { parseTarget, splitTraceList, TargetError } from '../common/target.js';
import { ENV, type Summary, type Target } from '../common/types.js';
import { buildSummary } from '../report/summary.js';
import { renderTable, type TableOptions } from '../report/table.js';
import type { RunArgs, TableArgs } from './args.js';
import { exitLike, runChild, type ChildResult } from './child.js';
import { loadConfig } from './config.js';
import { childEnvironment } from './environment.js';
import { UsageError } from './errors.js';
import { checkExecLimits } from './exec-limits.js';
import { claimOutDir, passTargets, releaseOutDir } from './out-dir.js';
import { readProcessReports } from '../common/run-dir/reports.js';
import { writeRunRecord, writeSummary, type RunRecord } from '../common/run-dir/results.js';
import { SUMMARY_FILE } from '../common/run-dir/layout.js';
import { startExporters } from '../exporters/start.js';
import { relayWarnings, type WarningRelay } from './warnings.js';
import { missingData } from './no-data.js';
import { droppedSpansNote, treeLimitNote } from './notes.js';
import { startLive } from './live/start.js';
import { failOnRules, printBaselineDiff, readSide } from './diff.js';

export async function run(args: RunArgs): Promise<void> {
  const cwd = process.cwd();
  const config = await loadConfig(cwd, args.config);
  const trace = [...new Set([...args.trace, ...splitTraceList(process.env[ENV.trace] ?? ''), ...config.trace])];
  for (const spec of trace) checkTarget(spec, cwd);
  const quiet = args.quiet || config.quiet === true;
  const calls = args.calls || config.calls === true;
  const out = args.out ?? config.out;
  // A baseline that cannot be read, or a bad --fail-on, stops us before the program starts.
  const rules = failOnRules(args.failOn);
  const baseline = args.baseline === undefined ? undefined : readSide(args.baseline);

  const outDir = out ? path.resolve(cwd, out) : mkdtempSync(path.join(os.tmpdir(), 'tanzhen-'));
  let ran: { result: ChildResult; summary?: Summary };
  try {
    prepareOutDir(outDir, out);
    ran = await runIn(outDir, { args, out, cwd, trace, quiet, calls });
  } finally {
    // Before exitLike: dying of the program's signal ends the launcher at once.
    if (out) releaseOutDir(outDir);
    else rmSync(outDir, { recursive: true, force: true });
  }
  const { result, summary } = ran;
  let regression = false;
  if (baseline && summary) regression = printBaselineDiff(baseline, summary, rules);
  else if (baseline && !result.spawnError) warn('no diff against the baseline: this run has no summary');
  exitLike(result);
  // A regression fails a program that succeeded; a program that failed keeps its own exit code.
  if (regression && result.code === 0 && !result.signal && !result.spawnError) process.exitCode = 1;
}

async function runIn(outDir: string, { args, out, cwd, trace, quiet, calls }: { args: RunArgs; out: string | undefined; cwd: string; trace: string[]; quiet: boolean; calls: boolean }): Promise<{ result: ChildResult; summary?: Summary }> {
  const targetsFile = passTargets(outDir, trace);
  const record: RunRecord = { command: args.command, targets: trace, cwd, startedAt: Date.now() };
  writeQuietly(outDir, record);
  if (trace.length === 0 && !quiet) warn('no targets given, so nothing is timed (add -t <module>:<name>)');
  // --otlp / --metrics-port: loaded only when asked for; they run here, in the launcher, never in the program.
  const exporters = await startExporters(args, { outDir, cwd, flushMs: args.flushMs, quiet });

  const env = childEnvironment(process.env, {
    trace,
    targetsFile,
    cwd,
    outDir,
    runId: randomBytes(8).toString('hex'),
    calls,
    spans: out !== undefined || exporters.spans,
    sample: args.sample,
    asyncContext: args.asyncContext,
    maxSpans: args.maxSpans,
    maxNodes: args.maxNodes,
    flushMs: args.flushMs,
  });
  Object.assign(env, exporters.env);
  const [command, ...commandArgs] = args.command;
  try {
    checkExecLimits(env);
  } catch (error) {
    await exporters.close();
    throw error;
  }
  const flushMs = args.flushMs ?? 1000;
  // --live: the view reads the reports every second and hands them on to the relay, whose lines wait until the view is gone.
  let relay: WarningRelay | undefined;
  const live = args.live ? startLive({ outDir, command: args.command, cwd, flushMs, onReports: (reports) => relay?.flush(reports), warn }) : undefined;
  relay = relayWarnings(outDir, live ? 0 : flushMs, live ? (message) => live.whenClosed(() => warn(message)) : warn);
  let result: ChildResult;
  try {
    result = await runChild(command, commandArgs, env);
  } finally {
    live?.stop();
  }
  relay.stop();
  await exporters.close(); // the last spans, within --otlp-timeout
  if (result.spawnError) {
    writeStderr(`tanzhen: ${result.spawnError.message}\n`);
    return { result };
  }
  return { result, summary: await finish({ outDir, out, cwd, quiet, table: args, trace, record, result, relay }) };
}

/** After the command: warnings, summary.json and the other files, the table. Each step fails alone, with one warning. */
async function finish(run: {
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

/** Bad targets stop the launcher before the program starts. */
function checkTarget(spec: string, cwd: string): Target {
  let target: Target;
  try {
    target = parseTarget(spec, cwd);
  } catch (error) {
    if (error instanceof TargetError) throw new UsageError(error.message);
    throw error;
  }
  if (target.module.kind === 'file' && !existsSync(target.module.path) && findSourceFile(target.module.path) === undefined) {
    throw new UsageError(`target ${spec}: no such file ${path.relative(cwd, target.module.path) || target.module.path}`);
  }
  return target;
}


function prepareOutDir(outDir: string, given: string | undefined): void {
  try {
    // An earlier run's results in the same directory must neither merge into this one nor pass for it: claimOutDir removes them.
    if (given !== undefined) claimOutDir(outDir, given);
    else ensurePrivateDir(path.join(outDir, PROCESSES_DIR));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Unwritable: the program still runs, unprobed results are simply not kept.
    warn(`cannot use ${outDir} for results (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the program runs, results are not saved`);
  }
}

function writeQuietly(outDir: string, record: RunRecord): void {
  try {
    writeRunRecord(outDir, record);
  } catch {
    // prepareOutDir already warned.
  }
}

export function printSummary(summary: Summary, table: Pick<TableOptions, 'top' | 'sort' | 'saved'> = {}): void {
  // process.stderr only for a terminal's width: on a pipe it would make the pipe non-blocking.
  const tty = isatty(2);
  const color = tty && !('NO_COLOR' in process.env);
  writeStderr(renderTable(summary, { ...table, width: (tty && process.stderr.columns) || Number(process.env.COLUMNS) || 120, color }));
}

function warn(message: string): void {
  writeStderr(`tanzhen: warning: ${message}\n`);
}
