// Shared by test/install.test.mjs and test/install/git.mjs: npm run the way a
// user runs it, a small program to probe, and the check of its run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { node, tempDir } from '../helpers.mjs';

const made = [];

/** A temporary directory removed by cleanup() (installs are tens of MB each). */
export function scratch(prefix) {
  const dir = tempDir(prefix);
  made.push(dir);
  return dir;
}

export function cleanup() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The environment of a user's shell: the test's Node first on PATH (npm and
 * npx then run on it), and none of the npm_* variables `npm test` sets for
 * its scripts (an inherited npm_config_* would change what npm does).
 */
export function npmEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  env.PATH = `${path.dirname(node)}${path.delimiter}${process.env.PATH}`;
  env.NO_COLOR = '1';
  return env;
}

/** Runs npm; throws with its output when it fails. Returns stdout. */
export function npm(args, { cwd, env = npmEnv() }) {
  try {
    return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${e.stdout}\n${e.stderr}`);
  }
}

/** A CommonJS program whose function `work` is called three times; returns what it prints. */
export function writeApp(dir) {
  writeFileSync(
    path.join(dir, 'app.js'),
    'function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\nconsole.log(work(10), work(100), work(1000));\n',
  );
  return { stdout: '45 4950 499500\n' };
}

/** The program ran unchanged, the table went to stderr, summary.json counts its three calls. */
export function checkRun(run, out, app) {
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, app.stdout);
  assert.match(run.stderr, /^work \(app\.js:1\)\s+3\s+0\s/m);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.functions.map((f) => [f.name, f.calls]), [['work', 3]]);
}
