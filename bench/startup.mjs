// c. Start-up, as whole processes (wall time from the parent, and CPU time
// from perf where it works), each variant
// once per round in rotating order, medians; every figure also as a
// difference or ratio to a baseline measured in the same round:
//   node -e 0                                       the baseline
//   node --require <empty> -e 0                     the floor any preload pays
//   node --import <empty> -e 0                      the same for --import
//   node --require dist/agent/register.cjs -e 0     the agent, with the environment
//     the launcher sets (a target the program never loads, a run directory),
//     warm: its caches (compiled agent, calibration) in place, as on every run after the first
//     cold: an empty cache directory each time, as on a machine's first run
//     (CommonJS target): a target that cannot be an ES module (no module hooks)
//   tanzhen run -q -t … -- node -e 0                the whole launcher (warm caches)
//   OpenTelemetry's auto-instrumentations register  for comparison
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, TMP, median, cleanEnv, runProcess } from './lib.mjs';

const AGENT = join(ROOT, 'dist', 'agent', 'register.cjs');

export function startup(node, { otelDir, otelEnv, outsideTarget, outsideCjsTarget, runs, warmUp }) {
  const caches = join(TMP, 'startup-cache', String(node.major));
  rmSync(caches, { recursive: true, force: true });
  const warm = join(caches, 'warm');
  mkdirSync(warm, { recursive: true });
  const runDir = mkdtempSync(join(TMP, 'startup-run-'));
  const launcherEnv = (target) => ({ TANZHEN_TRACE: `${target}:work`, TANZHEN_CWD: ROOT, TANZHEN_OUT: runDir, TANZHEN_RUN: 'bench', TANZHEN_CACHE_DIR: warm });
  const path = { PATH: `${dirname(node.bin)}:${process.env.PATH}`, TANZHEN_CACHE_DIR: warm };
  const variants = [
    { role: 'bare', name: 'node -e 0', args: ['-e', '0'] },
    { role: 'empty-require', name: 'node --require ./bench/hooks/empty.cjs -e 0', args: ['--require', './bench/hooks/empty.cjs', '-e', '0'] },
    { role: 'empty-preload', name: 'node --import ./bench/hooks/empty.mjs -e 0', args: ['--import', './bench/hooks/empty.mjs', '-e', '0'] },
    { role: 'preload', name: 'agent preload, warm (node --require dist/agent/register.cjs -e 0)', args: ['--require', AGENT, '-e', '0'], env: launcherEnv(outsideTarget) },
    { role: 'preload-cold', name: 'agent preload, cold: first run, empty cache', args: ['--require', AGENT, '-e', '0'], env: launcherEnv(outsideTarget), cold: true },
    { role: 'preload-cjs', name: 'agent preload, warm, CommonJS target', args: ['--require', AGENT, '-e', '0'], env: launcherEnv(outsideCjsTarget) },
    { role: 'launcher', name: 'tanzhen run -q -t … -- node -e 0', args: [join(ROOT, 'bin', 'tanzhen.js'), 'run', '-q', '-t', `${outsideTarget}:work`, '--', 'node', '-e', '0'], env: path },
  ];
  if (otelDir) {
    variants.push({ role: 'otel', name: 'node -r @opentelemetry/auto-instrumentations-node/register -e 0', args: ['-r', '@opentelemetry/auto-instrumentations-node/register', '-e', '0'], env: otelEnv, cwd: otelDir });
  }
  const once = (v) => {
    let env = v.env;
    let cold;
    if (v.cold) env = { ...env, TANZHEN_CACHE_DIR: (cold = mkdtempSync(join(caches, 'cold-'))) };
    try {
      return runProcess(node.bin, v.args, { env: cleanEnv(env), cwd: v.cwd ?? ROOT, rss: true, cpu: true });
    } finally {
      if (cold) rmSync(cold, { recursive: true, force: true });
    }
  };
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  try {
    if (warmUp) for (const v of variants) once(v);
    else once(variants.find((v) => v.role === 'preload')); // the warm caches, at least
    for (let round = 0; round < runs; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length];
        const r = once(v);
        samples[v.name].push({ wallMs: r.wallMs, rssMiB: r.rssMiB, cpuMs: r.cpuMs });
      }
    }
  } finally {
    rmSync(runDir, { recursive: true, force: true });
    rmSync(caches, { recursive: true, force: true });
  }
  const of = (role) => samples[variants.find((v) => v.role === role).name];
  const bare = of('bare');
  const empty = of('empty-require');
  const out = { runs, variants: {} };
  for (const v of variants) {
    const rs = samples[v.name];
    const rss = rs.map((r) => r.rssMiB).filter((x) => x !== undefined);
    out.variants[v.name] = {
      role: v.role,
      wallMs: median(rs.map((r) => r.wallMs)),
      deltaMs: median(rs.map((r, i) => r.wallMs - bare[i].wallMs)),
      ratio: median(rs.map((r, i) => r.wallMs / bare[i].wallMs)),
      // Over an empty --require in the same round: the agent's own cost.
      overEmptyMs: median(rs.map((r, i) => r.wallMs - empty[i].wallMs)),
      // The launcher's target: within 2 × bare + 20 ms; this is launcher − 2 × bare, per round.
      overTwiceBareMs: median(rs.map((r, i) => r.wallMs - 2 * bare[i].wallMs)),
      peakRssMiB: rss.length ? median(rss) : null,
      // CPU time of the process and its children (perf task-clock, all threads), where perf works.
      ...(rs.every((r) => Number.isFinite(r.cpuMs))
        ? { cpuMs: median(rs.map((r) => r.cpuMs)), cpuDeltaMs: median(rs.map((r, i) => r.cpuMs - bare[i].cpuMs)), cpuRatio: median(rs.map((r, i) => r.cpuMs / bare[i].cpuMs)), cpuOverEmptyMs: median(rs.map((r, i) => r.cpuMs - empty[i].cpuMs)) }
        : {}),
      samplesMs: rs.map((r) => Math.round(r.wallMs * 10) / 10),
    };
  }
  return out;
}
