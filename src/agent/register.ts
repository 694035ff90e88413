// The preload (the seed's sitecustomize): `node --import tanzhen/register`.
// Reads its settings from the environment, so child processes and worker
// threads that inherit NODE_OPTIONS and the environment are probed too.
// Any failure here becomes one warning; the program always runs.
import module from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { parseTarget, splitTraceList } from '../common/target.js';
import { ENV, type Target } from '../common/types.js';
import { installCjsHook } from './hooks/legacy-cjs.js';
import { canBeEsm, installEsmHooks } from './hooks/legacy-esm.js';
import { installSyncHooks } from './hooks/sync.js';
import { processReport, startReportWriter } from './report-writer.js';
import { patchBuiltins } from './runtime/builtins.js';
import { loggingProbe, plainProbe, PROBE_KEY, type Probe } from './runtime/probe.js';
import { warn } from './runtime/state.js';
import { TargetSet } from './targets.js';
import { buildSummary } from '../report/summary.js';
import { renderTable } from '../report/table.js';

function start(): void {
  const env = process.env;
  const specs = splitTraceList(env[ENV.trace] ?? '');
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

  const probe: Probe = env[ENV.calls] === '1' ? loggingProbe((line) => process.stderr.write(`tanzhen: ${line}\n`)) : plainProbe;
  Object.defineProperty(globalThis, PROBE_KEY, { value: probe, configurable: true, enumerable: false, writable: false });

  const set = new TargetSet(targets);
  set.prepare();
  patchBuiltins(set.builtins, probe);
  if (!set.empty) {
    if (typeof (module as any).registerHooks === 'function') installSyncHooks(set);
    else {
      installCjsHook(set);
      if (canBeEsm(set.sourceTargets)) installEsmHooks({ trace: specs, cwd });
    }
  }

  const out = env[ENV.out];
  if (out) startReportWriter(out, Number(env.TANZHEN_FLUSH_MS ?? 1000));
  // Without the launcher, the main thread prints its own table at exit.
  if (!env[ENV.run] && isMainThread) {
    process.on('exit', (code) => {
      const summary = buildSummary([processReport()], { command: process.argv, exitCode: code, targets: specs });
      process.stderr.write(renderTable(summary, { color: false }));
    });
  }
}

try {
  start();
} catch (error) {
  warn(`probe disabled: ${(error as Error).message}`);
}
