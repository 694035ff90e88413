// A real project's own test suite under the probe: qs (the query-string
// parser under Express, ~100M downloads a week), whose published tarball
// ships its tape tests. Installed from the npm registry at test time (cached
// in ~/.cache/tanzhen-peer), never vendored. Its suite runs bare, then under
// `tanzhen run` with a `*` target on every one of its source files: the same
// assertions must pass and fail, and the probe must have seen most of its
// functions called. Run by .ci/run (`node --test test/peer/run.mjs`), not by npm test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { bin, node, tempDir } from '../helpers.mjs';

const PACKAGE = 'qs';
const VERSION = '6.17.1';
const cache = process.env.TANZHEN_PEER_CACHE ?? path.join(os.homedir(), '.cache', 'tanzhen-peer');
const host = path.join(cache, `${PACKAGE}-${VERSION}`);
const pkgDir = path.join(host, 'node_modules', PACKAGE);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Installs qs and the packages its tests require (ranges from its devDependencies, loosened to the major). */
function install() {
  if (existsSync(path.join(host, '.complete'))) return;
  const work = `${host}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ private: true }));
  const quiet = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  execFileSync(npm, ['install', ...quiet, `${PACKAGE}@${VERSION}`], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = path.join(work, 'node_modules', PACKAGE);
  const devDependencies = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).devDependencies ?? {};
  const needed = new Set();
  for (const file of readdirSync(path.join(dir, 'test'))) {
    if (!file.endsWith('.js')) continue;
    for (const [, name] of readFileSync(path.join(dir, 'test', file), 'utf8').matchAll(/require\('([^'.][^']*)'\)/g)) {
      const top = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0];
      if (!isBuiltin(top)) needed.add(top);
    }
  }
  const specs = [...needed].map((name) => {
    const m = /(\d+)\.(\d+)/.exec(devDependencies[name] ?? '');
    return m ? `${name}@${m[1] === '0' ? `0.${m[2]}` : m[1]}` : name;
  });
  execFileSync(npm, ['install', ...quiet, ...specs], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(path.join(work, '.complete'), specs.join('\n'));
  rmSync(host, { recursive: true, force: true });
  renameSync(work, host);
}

function run(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** tape's TAP: every assertion's line, and its closing counts. */
function parseTap(tap) {
  const lines = tap.split('\n').filter((l) => /^(not )?ok \d+/.test(l));
  const count = (name) => Number(new RegExp(`^# ${name}\\s+(\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { lines, tests: count('tests'), pass: count('pass'), fail: count('fail') };
}

test(`${PACKAGE}@${VERSION}'s own test suite passes and fails exactly the same under the probe`, { timeout: 240_000 }, async () => {
  install();
  const testFiles = readdirSync(path.join(pkgDir, 'test')).filter((f) => f.endsWith('.js')).map((f) => `test/${f}`);
  const tape = [path.join(host, 'node_modules', 'tape', 'bin', 'tape'), ...testFiles];
  const sources = readdirSync(path.join(pkgDir, 'lib')).filter((f) => f.endsWith('.js'));
  assert.ok(sources.length >= 4, sources.join());

  const bare = await run(node, tape, pkgDir);
  const expected = parseTap(bare.stdout);
  assert.ok(expected.tests > 1000, `bare run: ${expected.tests} assertions\n${bare.stderr}`);

  const out = tempDir('tz-peer-');
  const targets = sources.flatMap((f) => ['-t', `${PACKAGE}/lib/${f.replace(/\.js$/, '')}:*`]);
  const probed = await run(node, [bin, 'run', '-q', '--out', out, ...targets, '--', node, ...tape], pkgDir);
  const actual = parseTap(probed.stdout);

  assert.equal(probed.code, bare.code, probed.stderr);
  assert.deepEqual({ tests: actual.tests, pass: actual.pass, fail: actual.fail }, { tests: expected.tests, pass: expected.pass, fail: expected.fail });
  assert.deepEqual(actual.lines, expected.lines, 'every assertion has the same outcome');

  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  // Only a file that defines no function at all (lib/index.js re-exports) may leave its `*` unmatched.
  const withFunctions = sources.filter((f) => /function|=>/.test(readFileSync(path.join(pkgDir, 'lib', f), 'utf8')));
  const unmatched = summary.unmatched.map((u) => u.target);
  assert.deepEqual(unmatched.sort(), sources.filter((f) => !withFunctions.includes(f)).map((f) => `${PACKAGE}/lib/${f.replace(/\.js$/, '')}:*`).sort());
  const files = new Set(summary.functions.map((f) => path.basename(f.file)));
  assert.deepEqual([...files].sort(), withFunctions.sort(), 'every source file with functions was instrumented');
  const called = summary.functions.filter((f) => f.calls > 0);
  const share = called.length / summary.functions.length;
  console.log(`${PACKAGE}@${VERSION}: ${actual.pass}/${actual.tests} assertions pass bare and probed; ${called.length} of ${summary.functions.length} functions called, ${summary.functions.reduce((n, f) => n + f.calls, 0)} calls timed`);
  assert.ok(summary.functions.length >= 30, `${summary.functions.length} functions found`);
  assert.ok(share >= 0.8, `only ${called.length} of ${summary.functions.length} functions were called`);
});
