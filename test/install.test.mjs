// tanzhen installed the way users install it: the tarball `npm pack` makes,
// as a dev dependency of a scratch project (run with `npx tanzhen`, and the
// preload as `--require tanzhen/register`) and globally into a scratch prefix
// (run as `tanzhen` from another directory). Nothing is built on install:
// the tarball carries dist/, and the build tools stay out. The git-URL and
// clone routes, slower (npm builds the clone), run once in .ci/run
// (test/install/git.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { node, root } from './helpers.mjs';
import { npm, npmEnv, writeApp, checkRun, scratch, cleanup } from './install/helpers.mjs';

after(cleanup);

const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
let tarball;

before(() => {
  // --ignore-scripts: pack the dist/ this checkout built (the one the rest of
  // the suite tests); `prepare` would rebuild it under the tests running beside.
  const dest = scratch('tz-pack-');
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: root }));
  tarball = path.join(dest, packed.filename);
});

test('the tarball holds the built launcher, agent and Python bootstrap, and no sources, tests or build scripts', () => {
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
  for (const f of ['package.json', 'README.md', 'bin/tanzhen.js', 'bin/package.json', 'dist/cli/tanzhen.cjs', 'dist/agent/register.cjs', 'dist/agent/agent.cjs', 'dist/agent/register.js', 'dist/agent/hooks/esm-loader.js', 'python/bootstrap/sitecustomize.py', 'python/bootstrap/tanzhen_probe/__init__.py']) {
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  }
  const unwanted = files.filter((f) => /^(src|test|scripts|bench|examples|node_modules|docs|\.ci)\/|\.ts$|__pycache__|\.pyc$|\.tgz$/.test(f));
  assert.deepEqual(unwanted, []);
});

test('as a dev dependency: npx tanzhen runs, --require tanzhen/register works, no build tool is installed', { timeout: 300_000 }, () => {
  const project = scratch('tz-project-');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  npm(['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project });
  for (const tool of ['typescript', 'esbuild', 'tsx', '@types/node']) {
    assert.ok(!existsSync(path.join(project, 'node_modules', tool)), `${tool} was installed with tanzhen`);
  }
  const app = writeApp(project);

  // --no: run the project's copy, never fetch a package of that name.
  const out = path.join(project, 'out');
  const run = spawnSync('npx', ['--no', '--', 'tanzhen', 'run', '--out', out, '-t', './app.js:work', '--', 'node', 'app.js'], { cwd: project, env: npmEnv(), encoding: 'utf8' });
  checkRun(run, out, app);

  const v = spawnSync('npx', ['--no', '--', 'tanzhen', '--version'], { cwd: project, env: npmEnv(), encoding: 'utf8' });
  assert.equal(v.stdout.trim(), version, v.stderr);

  // The preload alone, resolved as a package export from the project.
  const preload = spawnSync(node, ['--require', 'tanzhen/register', 'app.js'], { cwd: project, env: { ...npmEnv(), TANZHEN_TRACE: './app.js:work' }, encoding: 'utf8' });
  assert.equal(preload.status, 0, preload.stderr);
  assert.equal(preload.stdout, app.stdout);
  assert.match(preload.stderr, /^work \(app\.js:1\)\s+3\s+0\s/m);
});

test('globally into a prefix: `tanzhen` runs from another directory, Node and Python targets alike', { timeout: 300_000 }, () => {
  const prefix = scratch('tz-prefix-');
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: scratch() });
  const binDir = path.join(prefix, 'bin');
  assert.ok(existsSync(path.join(binDir, 'tanzhen')), 'no tanzhen command in the prefix');

  const elsewhere = scratch('tz-elsewhere-');
  const app = writeApp(elsewhere);
  const env = { ...npmEnv(), PATH: `${binDir}${path.delimiter}${npmEnv().PATH}` };
  const out = path.join(elsewhere, 'out');
  const run = spawnSync('tanzhen', ['run', '--out', out, '-t', './app.js:work', '--', 'node', 'app.js'], { cwd: elsewhere, env, encoding: 'utf8' });
  checkRun(run, out, app);

  // The Python bootstrap is found inside the installed package.
  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  if (!python) return; // test/python.test.mjs reports a missing Python
  const pyDir = path.join(elsewhere, 'py');
  mkdirSync(pyDir);
  writeFileSync(path.join(pyDir, 'calc.py'), 'def work(n):\n    return sum(range(n))\n');
  writeFileSync(path.join(pyDir, 'main.py'), 'import calc\nprint(calc.work(10), calc.work(20))\n');
  const pyOut = path.join(pyDir, 'out');
  const py = spawnSync('tanzhen', ['run', '-q', '--out', pyOut, '-t', 'calc:work', '--', python, 'main.py'], { cwd: pyDir, env, encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout, '45 190\n');
  const summary = JSON.parse(readFileSync(path.join(pyOut, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.functions.map((f) => [f.name, f.calls]), [['work', 2]]);
});
