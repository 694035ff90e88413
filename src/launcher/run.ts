// `tanzhen run`: validate the targets, run the command with the probe
// preloaded, then merge what every probed process recorded into one table
// (stderr) and summary.json. Only what the program's start needs comes
// before spawn; the merging and rendering (finish.ts) load while it runs
// (docs/startup.md).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDir, randomHex } from '../common/files.js';
import { PROCESSES_DIR } from '../common/run-dir/layout.js';
import { writeStderr } from '../common/stderr.js';
import { findSourceFile } from '../common/source-file.js';
import { parseTarget, splitTraceList, TargetError } from '../common/target.js';
import { ENV, type Summary, type Target } from '../common/types.js';
import type { RunArgs } from './args.js';
import { exitLike, runChild, type ChildResult } from './child.js';
import { loadConfig } from './config.js';
import { childEnvironment } from './environment.js';
import { UsageError } from './errors.js';
import { checkExecLimits } from './exec-limits.js';
import { claimOutDir, passTargets, releaseOutDir } from './out-dir.js';
import { writeRunRecord, type RunRecord } from '../common/run-dir/results.js';
import { startExporters } from '../exporters/start.js';
import { relayWarnings, type WarningRelay } from './warnings.js';

export async function run(args: RunArgs): Promise<void> {
  const cwd = process.cwd();
  const config = await loadConfig(cwd, args.config);
  const trace = [...new Set([...args.trace, ...splitTraceList(process.env[ENV.trace] ?? ''), ...config.trace])];
  for (const spec of trace) checkTarget(spec, cwd);
  const quiet = args.quiet || config.quiet === true;
  const calls = args.calls || config.calls === true;
  const out = args.out ?? config.out;
  // A baseline that cannot be read, or a bad --fail-on, stops us before the program starts.
  // diff.ts loads only for a baseline or --fail-on.
  const diff = args.baseline !== undefined || args.failOn !== undefined ? await import('./diff.js') : undefined;
  const rules = diff?.failOnRules(args.failOn);
  const baseline = args.baseline === undefined ? undefined : diff?.readSide(args.baseline);

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
  if (baseline && summary && diff) regression = diff.printBaselineDiff(baseline, summary, rules);
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
    runId: randomHex(8),
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
  // The view's code loads only with --live.
  const live = args.live ? (await import('./live/start.js')).startLive({ outDir, command: args.command, cwd, flushMs, onReports: (reports) => relay?.flush(reports), warn }) : undefined;
  relay = relayWarnings(outDir, live ? 0 : flushMs, live ? (message) => live.whenClosed(() => warn(message)) : warn);
  let result: ChildResult;
  // Loaded while the program runs (a failure to load shows when it is used).
  let later: Promise<typeof import('./finish.js')> | undefined;
  try {
    const running = runChild(command, commandArgs, env);
    later = import('./finish.js');
    later.catch(() => {});
    result = await running;
  } finally {
    live?.stop();
  }
  relay.stop();
  await exporters.close(); // the last spans, within --otlp-timeout
  if (result.spawnError) {
    writeStderr(`tanzhen: ${result.spawnError.message}\n`);
    return { result };
  }
  return { result, summary: await (await later).finish({ outDir, out, cwd, quiet, table: args, trace, record, result, relay }) };
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

export function writeQuietly(outDir: string, record: RunRecord): void {
  try {
    writeRunRecord(outDir, record);
  } catch {
    // prepareOutDir already warned.
  }
}

export function warn(message: string): void {
  writeStderr(`tanzhen: warning: ${message}\n`);
}
