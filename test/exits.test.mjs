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
