// What the wrapper must keep: classes and methods, `this`, super, getters,
// async timing to settlement, errors (same object, same stack line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calls, fixture, fn, probe } from './helpers.mjs';

test('class methods, instance and static, getters, super, object literal methods', async () => {
  const targets = ['./client.js:Client.*', './client.js:Base.hello', './client.js:api.users.list', './client.js:api.ping'];
  const r = await probe(targets, ['node', 'main.js'], { cwd: fixture('classes') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'db:a:base db:b:base label:db true Client 1\n2 pong\n');
  assert.deepEqual(calls(r.summary), {
    'Client.create': 1,
    'Client.query': 2,
    'Client.constructor': 1,
    'Client.label': 1,
    'Base.hello': 2,
    'api.users.list': 1,
    'api.ping': 1,
  });
});

test('Client.prototype.query is instance-only; Client.query takes both', async () => {
  const only = await probe(['./client.js:Client.prototype.create', './client.js:Client.prototype.query'], ['node', 'main.js'], { cwd: fixture('classes') });
  assert.equal(only.code, 0, only.stderr);
  assert.deepEqual(calls(only.summary), { 'Client.query': 2 });
  assert.deepEqual(only.summary.unmatched.map((u) => u.target), ['./client.js:Client.prototype.create']);
});

test('async functions are timed until their promise settles; a rejection is an error', async () => {
  const r = await probe(['./work.js:fetchData', './work.js:failing', './work.js:returnsPromise'], ['node', 'main.js'], { cwd: fixture('async') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '30 late\ncaught nope\n');
  const fetch = fn(r.summary, 'fetchData');
  assert.equal(fetch.calls, 1);
  assert.ok(fetch.totalMs >= 25, `fetchData took ${fetch.totalMs} ms`);
  assert.ok(fn(r.summary, 'returnsPromise').totalMs >= 25, 'a plain function returning a promise is timed to settlement');
  const failing = fn(r.summary, 'failing');
  assert.equal(failing.errors, 1);
  assert.ok(failing.totalMs >= 4);
});

test('a sync throw keeps the same error object and a stack pointing at the user’s line', async () => {
  const bare = await probe([], ['node', 'main.js'], { cwd: fixture('errors') });
  const r = await probe(['./thrower.js:explode'], ['node', 'main.js'], { cwd: fixture('errors') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'same object true\nframe at explode (./thrower.js:4:13)\n');
  assert.equal(r.stdout, bare.stdout);
  const explode = fn(r.summary, 'explode');
  assert.equal(explode.calls, 2);
  assert.equal(explode.errors, 2);
});

test('--calls prints one line per call on stderr, nested calls indented', async () => {
  const r = await probe(['./lib.js:outer', './lib.js:inner'], ['node', 'main.js'], { cwd: fixture('cjs'), extra: ['--calls', '--quiet'] });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines[0], 'tanzhen: → outer');
  assert.equal(lines[1], 'tanzhen:   → inner');
  assert.match(lines[2], /^tanzhen: {3}← inner \d+(\.\d+)? (ns|µs|ms)$/);
  assert.match(lines.at(-1), /^tanzhen: ← outer \d/);
  assert.equal(lines.length, 12);
});

test('stack traces: same lines always, same columns too under --enable-source-maps', async () => {
  const cwd = fixture('sourcemap');
  const options = { cwd, env: { NODE_OPTIONS: '--enable-source-maps' } };
  const bare = await probe([], ['node', 'main.js'], options);
  const r = await probe(['./lib.js:*'], ['node', 'main.js'], options);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, bare.stdout);
  assert.match(r.stdout, /at boom \(.*lib\.js:1:25\)\n\s+at Object\.via \(.*lib\.js:3:10\)/);
  const plain = await probe(['./lib.js:*'], ['node', 'main.js'], { cwd });
  assert.match(plain.stdout, /at boom \(.*lib\.js:1:\d+\)\n\s+at Object\.via \(.*lib\.js:3:\d+\)/);
});
