// Stopping a worker costs what it costs without the probe: terminate() never
// blocks the main thread waiting for a flush (it used to, up to 1 s, for an
// eval worker that never loaded the probe and for a busy one), and
// process.exit() with a live eval worker does not wait for it. The machine
// running the tests is shared, so the bounds are loose next to the 1 s they
// replace; docs/reliability.md has measured figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, probe } from './helpers.mjs';

const cwd = fixture('hard-exits');
const numbers = (stdout) => Object.fromEntries([...stdout.matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));

for (const [mode, what] of [
  ['eval', 'an eval worker (never probed)'],
  ['busy', 'a probed worker busy in a loop that never yields'],
]) {
  test(`terminate() on ${what}: the main thread is not blocked, the promise settles promptly`, async () => {
    const r = await probe(['./work.js:tick'], ['node', 'timing.js', mode], { cwd, extra: ['-q'] });
    assert.equal(r.code, 0, r.stderr);
    const { blocked, total } = numbers(r.stdout);
    assert.ok(blocked < 50, `blocked ${blocked} ms`);
    assert.ok(total < 900, `terminate() took ${total} ms`);
  });
}

test('process.exit() with a live eval worker: the exit listeners do not wait for it', async () => {
  const r = await probe(['./work.js:tick'], ['node', 'timing.js', 'exit'], { cwd, extra: ['-q'] });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(numbers(r.stdout).exit < 600, r.stdout); // 1–4 ms idle; 243 seen on a loaded machine; 1005 before the fix
});
