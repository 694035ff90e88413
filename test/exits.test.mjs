// Every way a program ends: the exit status passes through unchanged and
// every call recorded before the end is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, fn, probe } from './helpers.mjs';

const cwd = fixture('exits');
const cases = [
  ['normal end', 'none', 0],
  ['process.exit(n) from sync code', 'exit', 7],
  ['process.exit(n) from async code', 'async-exit', 9],
  ['an uncaught exception', 'throw', 1],
  ['an unhandled rejection', 'reject', 1],
  ['process.exitCode', 'code', 3],
];

for (const [what, mode, code] of cases) {
  test(`${what}: exit code ${code}, every call counted`, async () => {
    const r = await probe(['./work.js:tick'], ['node', 'main.js', mode], { cwd });
    assert.equal(r.code, code, r.stderr);
    assert.equal(fn(r.summary, 'tick').calls, 5);
    assert.equal(r.summary.exitCode, code);
  });
}

test('SIGTERM to the launcher is forwarded; the program’s handler runs and its exit code passes through', async () => {
  const r = await probe(['./work.js:tick'], ['node', 'main.js', 'signal'], {
    cwd,
    onSpawn: (child) => child.stdout.once('data', () => child.kill('SIGTERM')),
  });
  assert.equal(r.code, 42, r.stderr);
  assert.equal(fn(r.summary, 'tick').calls, 6);
});

test('a program with no handler dies of the signal, and so does the launcher', async () => {
  const r = await probe(['./work.js:tick'], ['node', 'main.js', 'hang'], {
    cwd,
    onSpawn: (child) => child.stdout.once('data', () => child.kill('SIGINT')),
  });
  assert.equal(r.signal, 'SIGINT');
  assert.equal(r.summary.signal, 'SIGINT');
});

test('a child process and a worker thread merge into one summary', async () => {
  const r = await probe(['./work.js:work'], ['node', 'main.js'], { cwd: fixture('procs') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'worker done\n');
  assert.equal(fn(r.summary, 'work').calls, 6);
  assert.equal(r.summary.processes.length, 3);
  assert.equal(r.summary.processes.filter((p) => p.threadId).length, 1);
  assert.equal(new Set(r.summary.processes.map((p) => p.pid)).size, 2);
});

const unfinishedTargets = ['main', 'step', 'handle', 'serve'].map((name) => `./unfinished.js:${name}`);
/** A summary tree as nested {name: {calls, children}}. */
const shape = (nodes) => Object.fromEntries(nodes.map((n) => [n.name, { calls: n.calls, children: shape(n.children) }]));

test('process.exit() inside a probed call: the call is timed until the exit, marked unfinished, its subtree kept', async () => {
  const r = await probe(unfinishedTargets, ['node', 'unfinished.js', 'exit'], { cwd });
  assert.equal(r.code, 4, r.stderr);
  const main = fn(r.summary, 'main');
  assert.equal(main.calls, 1);
  assert.equal(main.unfinished, 1);
  assert.ok(main.totalMs >= 25, `main total ${main.totalMs} ms`);
  assert.ok(main.selfMs >= 15, `main self ${main.selfMs} ms`);
  assert.equal(fn(r.summary, 'step').unfinished, undefined);
  assert.deepEqual(shape(r.summary.tree), { main: { calls: 1, children: { step: { calls: 2, children: {} } } } });
  assert.match(r.stderr, /unfinished main: 1 call still running at exit/);
});

test('an await that never resumes: the async calls are unfinished, nested as they ran', async () => {
  const r = await probe(unfinishedTargets, ['node', 'unfinished.js', 'hang'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['handle', 'serve']) {
    const row = fn(r.summary, name);
    assert.equal(row.unfinished, 1, name);
    assert.ok(row.totalMs >= 20, `${name} total ${row.totalMs} ms`);
  }
  assert.deepEqual(shape(r.summary.tree), {
    handle: { calls: 1, children: { step: { calls: 1, children: {} }, serve: { calls: 1, children: { step: { calls: 1, children: {} } } } } },
  });
});
