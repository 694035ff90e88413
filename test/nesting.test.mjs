// Nesting and self time, against constructed timings, and async call trees
// that interleave without mixing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, fn, probe, tanzhen } from './helpers.mjs';

const cwd = fixture('nesting');

test('self time: a function spinning 10 ms that calls a 20 ms child twice', async () => {
  const r = await probe(['./sync.js:parent', './sync.js:child'], ['node', 'sync.js'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const parent = fn(r.summary, 'parent');
  const child = fn(r.summary, 'child');
  assert.equal(child.calls, 2);
  // Lower bounds only: a loaded machine stretches spins, never shortens them.
  assert.ok(parent.totalMs >= 50, `parent total ${parent.totalMs}`);
  assert.ok(parent.selfMs >= 10 && parent.selfMs < parent.totalMs - 40, `parent self ${parent.selfMs}`);
  assert.ok(child.selfMs >= 40 && Math.abs(child.selfMs - child.totalMs) < 0.01, `child self ${child.selfMs}`);
  assert.ok(Math.abs(parent.totalMs - parent.selfMs - child.totalMs) < 0.01, 'parent total = self + children');

  assert.equal(r.summary.tree.length, 1);
  const [root] = r.summary.tree;
  assert.equal(root.name, 'parent');
  assert.deepEqual(root.children.map((c) => [c.name, c.calls]), [['child', 2]]);
  assert.equal(root.children[0].children.length, 0);
});

test('two interleaved async call trees stay apart', async () => {
  const r = await probe(['./async.js:*'], ['node', 'async.js'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  const shape = (nodes) => Object.fromEntries(nodes.map((n) => [n.name, [n.calls, shape(n.children)]]));
  const leafAndWait = (n) => ({ wait: [n, {}], leaf: [n, {}] });
  assert.deepEqual(shape(r.summary.tree), {
    requestA: [2, { stepA: [4, leafAndWait(4)], wait: [4, {}] }],
    requestB: [1, { stepB: [3, leafAndWait(3)], wait: [1, {}] }],
  });
  // An awaiting parent's self time excludes its probed children.
  const requestA = fn(r.summary, 'requestA');
  assert.ok(requestA.selfMs < requestA.totalMs / 2, `requestA self ${requestA.selfMs} of ${requestA.totalMs}`);
});

test('report --tree prints the tree, widest first', async () => {
  const r = await probe(['./sync.js:parent', './sync.js:child'], ['node', 'sync.js'], { cwd });
  const tree = await tanzhen(['report', r.out, '--tree']);
  assert.equal(tree.code, 0);
  const lines = tree.stdout.trim().split('\n');
  assert.match(lines[0], /^call tree\s+calls\s+total\s+self$/);
  assert.match(lines[1], /^└─ parent\s+1\s+\d/);
  assert.match(lines[2], /^ {3}└─ child\s+2\s+\d/);
});

test('--sample: every call counted, one in N timed, weighted totals', async () => {
  const r = await probe(['./sync.js:child'], ['node', '-e', "const m = require('./sync.js')"], { cwd, extra: ['--sample', '0.5'] });
  assert.equal(r.code, 0, r.stderr);
  const child = fn(r.summary, 'child');
  assert.equal(child.calls, 2);
  assert.equal(child.sampleEvery, 2);
  assert.ok(child.totalMs >= 38, `weighted total ${child.totalMs}`);
});

test('calibration is stated in summary.json', async () => {
  const r = await probe(['./sync.js:child'], ['node', 'sync.js'], { cwd });
  assert.ok(r.summary.calibration.overheadNs >= 0 && r.summary.calibration.overheadNs < 5000, JSON.stringify(r.summary.calibration));
  assert.match(r.summary.calibration.method, /median/);
});

test('--async-context: callbacks from timers, promise chains and emitters nest under the call that scheduled them', async () => {
  const shape = (nodes) => Object.fromEntries(nodes.map((n) => [n.name, shape(n.children)]));
  const on = await probe(['./callbacks.js:*'], ['node', 'callbacks.js'], { cwd, extra: ['--async-context'] });
  assert.equal(on.code, 0, on.stderr);
  assert.equal(on.stdout, 'done\n');
  assert.deepEqual(shape(on.summary.tree), { viaTimer: { leaf: {} }, viaThen: { leaf: {} }, viaEmitter: { leaf: {} } });
  // Without it, nesting follows sync code and awaits only: the callbacks are roots.
  const off = await probe(['./callbacks.js:*'], ['node', 'callbacks.js'], { cwd });
  assert.deepEqual(shape(off.summary.tree), { viaTimer: {}, viaThen: {}, viaEmitter: {}, leaf: {} });
});
