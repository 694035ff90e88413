// What start-up keeps between runs (docs/startup.md), through the real
// `tanzhen run`: the compiled agent and the calibration in the user's cache
// directory, used only when it is ours; the agent loads no node:crypto,
// node:worker_threads or streams into the main thread at start; a process
// without targets loads nothing of ours. No timing here: `npm run bench`
// section c measures it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fn, node, probe, root, tempDir } from './helpers.mjs';

function program() {
  const cwd = tempDir('tz-startup-');
  writeFileSync(path.join(cwd, 'lib.cjs'), 'exports.f = (x) => x + 1;\n');
  writeFileSync(path.join(cwd, 'main.cjs'), "const { f } = require('./lib.cjs');\nlet s = 0;\nfor (let i = 0; i < 3; i++) s += f(i);\nconsole.log(s);\n");
  return cwd;
}

test('the first run keeps the compiled agent and the calibration; the next reads them, with the same results', async () => {
  const cwd = program();
  const cache = path.join(tempDir('tz-cache-'), 'tanzhen');
  const env = { TANZHEN_CACHE_DIR: cache };
  const first = await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '6\n');
  assert.equal(fn(first.summary, 'f').calls, 3);
  assert.match(first.summary.calibration.method, /at the start of this process .*kept in /);
  const kept = readdirSync(cache);
  assert.ok(kept.some((f) => /^agent-v[\d.]+-\w+-[0-9a-f]{16}\.v8$/.test(f)), kept.join(' '));
  assert.ok(kept.some((f) => /^calibration-v[\d.]+-\w+-\w+-[0-9a-f]{8}\.json$/.test(f)), kept.join(' '));

  const second = await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, '6\n');
  assert.equal(fn(second.summary, 'f').calls, 3);
  assert.equal(second.summary.calibration.overheadNs, first.summary.calibration.overheadNs);
  assert.match(second.summary.calibration.method, /on this machine at .*read at start-up/);
});

test('a damaged code cache is replaced; a cache directory others can write is never read', async () => {
  const cwd = program();
  const cache = path.join(tempDir('tz-cache-'), 'tanzhen');
  const env = { TANZHEN_CACHE_DIR: cache };
  assert.equal((await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env })).code, 0);
  const v8 = readdirSync(cache).find((f) => f.endsWith('.v8'));
  writeFileSync(path.join(cache, v8), 'not a code cache');
  const damaged = await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env });
  assert.equal(damaged.code, 0, damaged.stderr);
  assert.equal(fn(damaged.summary, 'f').calls, 3);
  assert.notEqual(readFileSync(path.join(cache, v8), 'latin1'), 'not a code cache');

  // Group-writable: neither the calibration nor the code is read from it (both are measured or compiled afresh).
  chmodSync(cache, 0o777);
  const open = await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env });
  assert.equal(open.code, 0, open.stderr);
  assert.equal(fn(open.summary, 'f').calls, 3);
  assert.match(open.summary.calibration.method, /median of .* calls/);
  assert.doesNotMatch(open.summary.calibration.method, /read at start-up/);
});

test('an unusable cache directory costs nothing but the cache', async () => {
  const cwd = program();
  const file = path.join(tempDir('tz-cache-'), 'a-file');
  writeFileSync(file, '');
  const r = await probe(['./lib.cjs:f'], ['node', 'main.cjs'], { cwd, env: { TANZHEN_CACHE_DIR: path.join(file, 'tanzhen') } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  assert.equal(fn(r.summary, 'f').calls, 3);
  assert.match(r.summary.calibration.method, /median of .* calls .* an empty instrumented function$/);
});

/** The built-in modules a program sees loaded when its first line runs (its own require of fs aside). */
function loadedAtStart(env) {
  const cwd = program();
  mkdirSync(path.join(cwd, 'out', 'processes'), { recursive: true });
  const script = "console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))))";
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith('TANZHEN_') || k === 'NODE_OPTIONS') delete clean[k];
  const r = spawnSync(node, ['--require', path.join(root, 'dist/agent/register.cjs'), '-e', script], { cwd, env: { ...clean, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { loaded: JSON.parse(r.stdout), cwd };
}

test('the agent starts without node:crypto, node:worker_threads or streams on the main thread', () => {
  const cache = tempDir('tz-cache-');
  const env = (cwd) => ({ TANZHEN_TRACE: `${path.join(cwd, 'lib.cjs')}:f`, TANZHEN_CWD: cwd, TANZHEN_OUT: path.join(cwd, 'out'), TANZHEN_RUN: 'test', TANZHEN_CACHE_DIR: cache });
  const { cwd } = loadedAtStart({});
  const { loaded } = loadedAtStart(env(cwd));
  for (const m of ['crypto', 'worker_threads', 'internal/worker/io', 'stream', 'internal/streams/readable']) assert.ok(!loaded.includes(m), `${m} loaded at start: ${loaded.join(' ')}`);
  // It did start: its marker is in the run directory.
  assert.ok(readdirSync(path.join(cwd, 'out', 'processes')).some((f) => f.endsWith('.started')));
});

test('a process with no targets loads nothing of the agent', () => {
  const bare = loadedAtStart({}).loaded;
  const preloaded = loadedAtStart({ TANZHEN_RUN: 'test' }).loaded;
  assert.deepEqual(preloaded, bare);
});
