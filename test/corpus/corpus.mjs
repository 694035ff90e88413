// Runs one corpus package's test suite twice, the same way: bare, then under
// the real `tanzhen run` with `*` on every one of its source files, and says
// how the two differ (exit code, counts, any test's outcome, probe warnings).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bin, node, tempDir } from '../helpers.mjs';
import { prepare } from './install.mjs';
import { parsers } from './outcomes.mjs';
import { targetsOf } from './packages.mjs';

const TIMEOUT_MS = Number(process.env.TANZHEN_CORPUS_TIMEOUT_MS ?? 600_000);

/** Spawns and collects; a run past the timeout is killed and reported as such. */
export function run(command, args, cwd, env = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** Both runs of one package; `differences` is empty when the probe changed nothing. */
export async function compare(pkg) {
  const dir = prepare(pkg);
  const command = pkg.command(dir);
  const runner = pkg.runner ?? node;
  const parse = parsers[pkg.format];
  const bareRun = await run(runner, command, dir);
  const out = tempDir('tz-corpus-');
  const targets = targetsOf(pkg, dir);
  const probedRun = await run(node, [bin, 'run', '-q', '--out', out, ...targets.flatMap((t) => ['-t', t]), '--', runner, ...command], dir);
  const bare = without(parse(bareRun.stdout, bareRun.stderr), pkg.ignore);
  const probed = without(parse(probedRun.stdout, probedRun.stderr), pkg.ignore);
  const summaryFile = path.join(out, 'summary.json');
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined;
  rmSync(out, { recursive: true, force: true });

  const differences = [];
  if (bareRun.signal || probedRun.signal) differences.push(`killed: bare ${bareRun.signal ?? 'no'}, probed ${probedRun.signal ?? 'no'}`);
  // A failed timing assertion (ignored) sets the exit code too.
  const exitComparable = !bare.ignoredFailed && !probed.ignoredFailed;
  if (exitComparable && bareRun.code !== probedRun.code) differences.push(`exit code: bare ${bareRun.code}, probed ${probedRun.code}`);
  for (const key of ['tests', 'pass', 'fail']) {
    if (bare[key] !== probed[key]) differences.push(`${key}: bare ${bare[key]}, probed ${probed[key]}`);
  }
  const lost = multisetMinus(bare.outcomes, probed.outcomes);
  const gained = multisetMinus(probed.outcomes, bare.outcomes);
  if (lost.length || gained.length) {
    differences.push(`outcomes: ${lost.length} only bare, ${gained.length} only probed`);
    for (const o of lost.slice(0, 8)) differences.push(`  only bare:   ${o.trim().slice(0, 200)}`);
    for (const o of gained.slice(0, 8)) differences.push(`  only probed: ${o.trim().slice(0, 200)}`);
  }
  // The count of calls past --max-spans is information, not a fault (acorn makes 4 million calls).
  const warnings = probedRun.stderr.split('\n').filter((l) => l.startsWith('tanzhen:') && !/ not kept as individual spans /.test(l));
  for (const w of warnings.slice(0, 8)) differences.push(`probe warning: ${w.slice(0, 300)}`);
  const functions = summary?.functions ?? [];
  const called = functions.filter((f) => f.calls > 0);
  if (called.length === 0) differences.push('the probe timed no call of the package (nothing instrumented?)');
  return {
    pkg,
    dir,
    targets,
    bare: { ...bare, code: bareRun.code, ms: bareRun.ms, stderr: bareRun.stderr },
    probed: { ...probed, code: probedRun.code, ms: probedRun.ms, stderr: probedRun.stderr },
    files: new Set(functions.map((f) => f.file)).size,
    functions: functions.length,
    called: called.length,
    calls: functions.reduce((n, f) => n + f.calls, 0),
    differences,
  };
}

/** Drops the outcomes of tests named in `ignore` (timing assertions) and counts again. */
function without(result, ignore) {
  if (!ignore) return result;
  const outcomes = result.outcomes.filter((o) => !ignore.includes(o.replace(/^(not ok|ok) /, '')));
  const top = outcomes.filter((o) => !/^\s/.test(o));
  const dropped = result.outcomes.length - outcomes.length;
  const ignoredFailed = result.outcomes.some((o) => o.startsWith('not ok') && !outcomes.includes(o));
  return { tests: result.tests - dropped, pass: top.filter((o) => o.startsWith('ok')).length, fail: top.filter((o) => o.startsWith('not ok')).length, outcomes, ignoredFailed };
}

function multisetMinus(a, b) {
  const counts = new Map();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** One table line per package. */
export function line(r) {
  const verdict = r.differences.length === 0 ? 'same' : 'DIFFERENT';
  return `${`${r.pkg.name}@${r.pkg.version}`.padEnd(32)} ${String(r.bare.tests).padStart(5)} tests  bare ${r.bare.pass}/${r.bare.fail} exit ${r.bare.code}  probed ${r.probed.pass}/${r.probed.fail} exit ${r.probed.code}  ${verdict}  ${r.functions} fns in ${r.files} files, ${r.called} called, ${r.calls} calls  ${(r.bare.ms / 1000).toFixed(1)}s/${(r.probed.ms / 1000).toFixed(1)}s`;
}
