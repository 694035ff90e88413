// The install routes through git, as README.md and docs/install.md give
// them, on a fresh clone of this checkout's HEAD (a `git+file://` URL works
// offline the way a `git+https://` one does online). Slow — npm installs the
// dev dependencies into its own clone and builds it — so .ci/run runs this
// once, on the machine's Node, not in `npm test`:
//
//   node --test --test-concurrency=1 test/install/git.mjs
//
// - a fresh clone: `npm install`, then the README's first-line example;
// - from the clone: `npm install -g .` and `npm link`;
// - as a dev dependency: `npm install -D git+URL`, then `npx tanzhen`.
//
// (`npm install -g git+URL` is not a route: npm prepares a git package for a
// global install in global mode, without its dev dependencies, and links the
// result to a temporary folder it then deletes — npm/cli#8440, #6984. A
// global install goes from a clone, or from the tarball, which
// test/install.test.mjs covers.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../helpers.mjs';
import { npm, npmEnv, writeApp, checkRun, scratch, cleanup } from './helpers.mjs';

after(cleanup);

const clone = path.join(scratch('tz-clone-'), 'tanzhen');
execFileSync('git', ['clone', '--quiet', root, clone]);
const url = `git+${pathToFileURL(clone).href}`;
const quiet = ['--prefer-offline', '--no-audit', '--no-fund'];

/** `tanzhen` as a user's shell finds it after installing into `prefix`. */
function runInstalled(prefix) {
  const env = { ...npmEnv(), PATH: `${path.join(prefix, 'bin')}${path.delimiter}${npmEnv().PATH}` };
  const elsewhere = scratch('tz-elsewhere-');
  const app = writeApp(elsewhere);
  const out = path.join(elsewhere, 'out');
  const run = spawnSync('tanzhen', ['run', '--out', out, '-t', './app.js:work', '--', 'node', 'app.js'], { cwd: elsewhere, env, encoding: 'utf8' });
  checkRun(run, out, app);
}

test('a fresh clone: npm install builds it, the README first-line example runs, then npm install -g . and npm link', { timeout: 600_000 }, () => {
  npm(['install', ...quiet], { cwd: clone });
  assert.ok(existsSync(path.join(clone, 'dist/launcher/cli.js')), 'npm install did not build dist/');
  const run = spawnSync('npx', ['--no', '--', 'tanzhen', 'run', '-t', './examples/hello/hello.js:sleep', '--', 'node', 'examples/hello/test.js', 'arg1', 'arg2'], {
    cwd: clone,
    env: npmEnv(),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, "[ 'test.js', 'arg1', 'arg2' ]\n0.2\n");
  assert.match(run.stderr, /^sleep \(examples\/hello\/hello\.js:3\)\s+1\s+0\s/m);

  const global = scratch('tz-prefix-');
  npm(['install', '--global', '--prefix', global, ...quiet, '.'], { cwd: clone });
  runInstalled(global);

  const linked = scratch('tz-prefix-');
  npm(['link', ...quiet], { cwd: clone, env: { ...npmEnv(), npm_config_prefix: linked } });
  runInstalled(linked);
});

test('as a dev dependency from the git URL: npm builds its clone, npx tanzhen runs', { timeout: 600_000 }, () => {
  const project = scratch('tz-project-');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  npm(['install', '--save-dev', ...quiet, url], { cwd: project });
  for (const tool of ['typescript', 'esbuild']) assert.ok(!existsSync(path.join(project, 'node_modules', tool)), `${tool} was installed with tanzhen`);
  const app = writeApp(project);
  const out = path.join(project, 'out');
  const run = spawnSync('npx', ['--no', '--', 'tanzhen', 'run', '--out', out, '-t', './app.js:work', '--', 'node', 'app.js'], { cwd: project, env: npmEnv(), encoding: 'utf8' });
  checkRun(run, out, app);
});
