// The preload (the seed's sitecustomize): `node --require tanzhen/register`.
// Reads its settings from the environment, so child processes and worker
// threads that inherit NODE_OPTIONS and the environment are probed too.
// Any failure here becomes one warning; the program always runs.
import module from 'node:module';
import { isMainThread } from './thread.js';
import { parseTarget, splitTraceList } from '../common/target.js';
import { ENV, type Target } from '../common/types.js';
import { readTargetsFile } from '../common/run-dir/layout.js';
import { inHooksThread, skipLaterPreloads } from './hooks/hooks-thread.js';
import { installCjsHook } from './hooks/legacy-cjs.js';
import { installEsmHooks } from './hooks/legacy-esm.js';
import { installSyncHooks } from './hooks/sync.js';
import { processReport, reportPaths, setCalibration, startReportWriter } from './report-writer.js';
import { calibration as calibrated } from './runtime/calibrate.js';
import { closeOpenCalls, configureCalls } from './runtime/calls.js';
import { enableAsyncContext } from './runtime/async-context.js';
import { setOverhead } from './runtime/recorder.js';
import { enableSpans } from './runtime/spans.js';
import { setMaxNodes } from './runtime/tree.js';
import { enableOtelContext } from './runtime/otel-context.js';
import { patchBuiltins } from './runtime/builtins.js';
import { loggingProbe, plainProbe, PROBE_KEY, setDefaultSampling, type Probe } from './runtime/probe.js';
import { warn } from './runtime/state.js';
import { PROBE_GLOBAL } from './instrument/templates.js';
import { installSourceText } from './runtime/source-text.js';
import { writeStderr } from '../common/stderr.js';
import { canBeEsm, mayBeTypeScript, TargetSet } from './targets.js';
import { buildSummary } from '../report/summary.js';
import { renderTable } from '../report/table.js';

function start(): void {
  const env = process.env;
  const specs = splitTraceList(targetsText(env));
  if (specs.length === 0 || (globalThis as any)[PROBE_KEY]) return;
  const cwd = env[ENV.cwd] || process.cwd();

  const targets: Target[] = [];
  for (const spec of specs) {
    try {
      targets.push(parseTarget(spec, cwd));
    } catch (error) {
      warn(`${(error as Error).message}; ignored`);
    }
  }

  const out = env[ENV.out];
  const logCalls = env[ENV.calls] === '1';
  const calibration = calibrated();
  setCalibration(calibration);
  setOverhead(calibration.overheadNs / 1e6);
  const sampling = samplingOf(env[ENV.sample], logCalls);
  setDefaultSampling(sampling.every, sampling.adaptive);
  if (out && env[ENV.spans] === '1') {
    const paths = reportPaths(out);
    const maxSpans = positiveInt(env[ENV.maxSpans], 100_000);
    enableSpans(paths.spans, paths.spansName, maxSpans);
    if (env[ENV.otelContext] === '1') enableOtelContext(paths.otel, maxSpans);
  }
  const asyncContext = env[ENV.asyncContext] === '1';
  if (asyncContext) enableAsyncContext();
  setMaxNodes(positiveInt(env[ENV.maxNodes], 50_000));
  configureCalls({ spans: out !== undefined && env[ENV.spans] === '1', otelContext: env[ENV.otelContext] === '1', asyncContext });

  const probe: Probe = logCalls ? loggingProbe((line) => writeStderr(`tanzhen: ${line}\n`)) : plainProbe;
  Object.defineProperty(globalThis, PROBE_KEY, { value: probe, configurable: true, enumerable: false, writable: false });
  // For modules that declare their own `Symbol` (templates.ts probeLookup).
  Object.defineProperty(globalThis, PROBE_GLOBAL, { value: probe, configurable: true, enumerable: false, writable: false });

  installSourceText();
  const set = new TargetSet(targets);
  set.prepare();
  patchBuiltins(set.builtins, probe);
  if (!set.empty) {
    // CommonJS-only runs go through the CommonJS loader alone, on every Node: cheapest for every other module.
    const esm = canBeEsm(set.sourceTargets);
    if (esm && typeof (module as any).registerHooks === 'function') {
      installSyncHooks(set);
      // A TS loader's require handler (tsx in a CommonJS project) compiles outside the load hooks: its
      // output reaches Module.prototype._compile only. The marker keeps a module from being instrumented twice.
      if (mayBeTypeScript(set.sourceTargets)) installCjsHook(set);
    } else {
      installCjsHook(set);
      if (esm) installEsmHooks({ trace: specs, cwd });
    }
  }

  // Before the reports are written: calls still open at exit end there, as unfinished.
  process.on('exit', closeOpenCalls);
  if (out) startReportWriter(out, positiveInt(env[ENV.flushMs], 1000, true));
  // Without the launcher, the main thread prints its own table at exit.
  if (!env[ENV.run] && isMainThread()) {
    process.on('exit', (code) => {
      const summary = buildSummary([processReport()], { command: process.argv, exitCode: code, targets: specs });
      writeStderr(renderTable(summary, { color: false }));
    });
  }
}

/** The targets: TANZHEN_TRACE, or the file the launcher names when they are too many for the environment. */
function targetsText(env: NodeJS.ProcessEnv): string {
  const file = env[ENV.traceFile];
  if (!file) return env[ENV.trace] ?? '';
  try {
    return readTargetsFile(file);
  } catch (error) {
    warn(`cannot read the targets from ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing is probed in this process`, { relayable: false });
    return '';
  }
}

/** TANZHEN_SAMPLE: a share of calls to time (0.1 → 1 in 10), or 'auto' (adaptive). --calls times every call. */
/**
 * Unset: wildcard targets (`pkg:*`) follow their call rate, named functions time every call;
 * `auto`: every function follows its rate; a rate in (0, 1]: one call in 1/rate (1: every call).
 */
function samplingOf(value: string | undefined, logCalls: boolean): { every: number; adaptive: 'all' | 'wildcards' | 'none' } {
  if (logCalls) return { every: 1, adaptive: 'none' };
  if (!value) return { every: 1, adaptive: 'wildcards' };
  if (value === 'auto') return { every: 1, adaptive: 'all' };
  const rate = Number(value);
  if (!(rate > 0 && rate <= 1)) {
    warn(`TANZHEN_SAMPLE=${value} is not a rate in (0, 1] or 'auto'; timing every call`);
    return { every: 1, adaptive: 'none' };
  }
  return { every: Math.max(1, Math.round(1 / rate)), adaptive: 'none' };
}

function positiveInt(value: string | undefined, fallback: number, zeroAllowed = false): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && (n > 0 || (zeroAllowed && n === 0)) ? n : fallback;
}

try {
  // Node 20's module.register() hooks thread runs --require preloads too: nothing to probe there.
  if (inHooksThread()) skipLaterPreloads();
  else start();
} catch (error) {
  warn(`probe disabled: ${(error as Error).message}`);
}
