// Processes killed the ordinary way (SIGTERM: child.kill(), cluster's
// worker.kill(), Python's Pool.terminate()) keep every call they made: with no
// handler of their own they flush, then die of the signal as they would have;
// with one, nothing changes. The periodic flush is off (60 s), so only the
// flush at the signal can account for the calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture, fn, probe } from './helpers.mjs';

const cwd = fixture('signals');
const extra = ['-q', '--flush-interval', '60000'];

for (const [mode, stdout, calls] of [
  ['spawn', 'child null SIGTERM\n', 5 + 5],
  ['fork', 'child null SIGTERM\n', 5 + 5],
  ['cluster', 'workers null SIGTERM, null SIGTERM\n', 5 + 5 + 5],
  ['spawn-handler', 'child 42 null\n', 5 + 6],
]) {
  test(`a child killed with SIGTERM (${mode}): every call counted, the child ends as it would have`, async () => {
    const r = await probe(['./work.js:tick'], ['node', 'main.js', mode], { cwd, extra });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, stdout);
    assert.equal(fn(r.summary, 'tick').calls, calls);
  });
}

const killWhenReady = (child) => child.stdout.once('data', (d) => process.kill(Number(/pid (\d+)/.exec(d)[1]), 'SIGTERM'));
/**
 * Python: SIGTERM once the program sleeps. A signal in the instant between printing its pid and
 * entering time.sleep() is the known race of the probe's Python-level handler (the Pool test below,
 * docs/reliability.md): it would run only when the 60 s sleep ends.
 */
const killWhenAsleep = (child) => child.stdout.once('data', (d) => setTimeout(() => process.kill(Number(/pid (\d+)/.exec(d)[1]), 'SIGTERM'), 300));

test('the program killed by SIGTERM with no handler: dies of SIGTERM, the launcher too, every call counted', async () => {
  const r = await probe(['./work.js:tick'], ['node', 'main.js', 'self'], { cwd, extra, onSpawn: killWhenReady });
  assert.equal(r.signal, 'SIGTERM', r.stderr);
  assert.equal(r.summary.signal, 'SIGTERM');
  assert.equal(fn(r.summary, 'tick').calls, 5);
});

test('a SIGTERM handler added later runs as without the probe, and listener counts are the program’s', async () => {
  const r = await probe(['./work.js:tick'], ['node', 'main.js', 'self-late-handler'], { cwd, extra, onSpawn: killWhenReady });
  assert.equal(r.code, 42, r.stderr);
  assert.match(r.stdout, /listeners 1\n$/);
  assert.equal(fn(r.summary, 'tick').calls, 6);
});

test('a signal listener of ours does not keep the program alive', async () => {
  const started = Date.now();
  const r = await probe(['./work.js:tick'], ['node', '-e', "require('./work').tick(); setTimeout(() => {}, 50)"], { cwd, extra });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fn(r.summary, 'tick').calls, 1);
  assert.ok(Date.now() - started < 10_000);
});

// ---------------------------------------------------------------- Python

function pythons() {
  const dir = path.join(process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), 'versions');
  const found = existsSync(dir) ? readdirSync(dir).filter((v) => /^3\.(8|13)\.\d+$/.test(v)).map((v) => path.join(dir, v, 'bin/python')) : [];
  return found.length > 0 ? found : ['/usr/bin/python3'].filter(existsSync);
}

for (const python of pythons()) {
  const version = path.basename(path.dirname(path.dirname(python)));
  // The probe's Python-level SIGTERM handler runs only when the main thread next checks for signals; a
  // worker whose SIGTERM lands just before it blocks on the task queue's lock used to wait for ever (about
  // 1 run in 15–40 under CPU contention). The doorbell of signals.py has the flusher send it on to the
  // main thread; the next test makes that race certain.
  test(`Python ${version}: multiprocessing.Pool's workers, terminated with SIGTERM on leaving the with block, keep every call`, { timeout: 90_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const r = await probe(['work:tick'], [python, 'pool.py', 'pool'], { cwd, extra });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '45\n');
      assert.equal(fn(r.summary, 'tick').calls, 10, `run ${i + 1}`);
    }
  });

  test(`Python ${version}: SIGTERM taken by another thread while the main thread waits on a lock: dies of it at once, as bare, every call counted`, async () => {
    const started = Date.now();
    const r = await probe(['work:tick'], [python, 'pool.py', 'blocked'], { cwd, extra });
    assert.equal(r.signal, 'SIGTERM', r.stderr);
    assert.equal(fn(r.summary, 'tick').calls, 5);
    assert.ok(Date.now() - started < 20_000, 'not left waiting on the lock');
  });

  test(`Python ${version}: children of a process holding 1 100 descriptors: the flusher does not spin, the doorbell still rings`, async () => {
    const r = await probe(['work:tick'], [python, 'pool.py', 'crowded'], { cwd, extra });
    assert.equal(r.code, 0, r.stderr);
    const cpu = Number(/sleeper cpu ([\d.]+)/.exec(r.stdout)?.[1]);
    assert.ok(cpu < 0.5, `a child asleep for 1 s used ${cpu} s of CPU`);
    assert.match(r.stdout, /blocked child signal 15\n/);
    assert.equal(fn(r.summary, 'tick').calls, 1 + 5);
  });

  test(`Python ${version}: a daemon that closes every descriptor and opens its log, then is killed: its log holds its own line only`, async () => {
    const log = path.join(os.tmpdir(), `tz-daemon-${process.pid}-${version}.log`);
    try {
      const r = await probe(['work:tick'], [python, 'pool.py', 'daemon', log], { cwd, extra, onSpawn: killWhenAsleep });
      assert.equal(r.signal, 'SIGTERM', r.stderr);
      assert.equal(fn(r.summary, 'tick').calls, 5);
      assert.equal(readFileSync(log, 'utf8'), 'hello\n');
    } finally {
      rmSync(log, { force: true });
    }
  });

  test(`Python ${version}: killed by SIGTERM with no handler: dies of it, every call counted; with a handler, unchanged`, async () => {
    const bare = await probe(['work:tick'], [python, 'pool.py', 'self'], { cwd, extra, onSpawn: killWhenAsleep });
    assert.equal(bare.signal, 'SIGTERM', bare.stderr);
    assert.equal(fn(bare.summary, 'tick').calls, 5);
    const handled = await probe(['work:tick'], [python, 'pool.py', 'handler'], { cwd, extra, onSpawn: killWhenAsleep });
    assert.equal(handled.code, 42, handled.stderr);
    assert.equal(fn(handled.summary, 'tick').calls, 6);
  });
}

for (const python of pythons()) {
  const version = path.basename(path.dirname(path.dirname(python)));
  test(`Python ${version}: a child sent SIGTERM the instant fork() returns dies of it (the signal is not lost to our handler)`, async () => {
    const r = await probe(['work:tick'], [python, 'forkrace.py'], { cwd, extra });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[15, 15, 15, 15, 15]\n');
  });
}
