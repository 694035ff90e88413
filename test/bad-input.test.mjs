// Targets that cannot be probed as asked: not a function, a getter, frozen or
// non-configurable. Each is one clear warning from the agent (or an
// "unmatched" line), never a stack trace, and the program's output and exit
// status are exactly those of the bare run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { calls, fixture, fn, probe, tanzhen } from './helpers.mjs';

const cwd = fixture('bad-input');
const preload = `--require ${path.join(cwd, 'freeze-builtins.cjs')}`;

function assertClean(r, bare) {
  assert.equal(r.code, bare.code, r.stderr);
  assert.equal(r.stdout, bare.stdout);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(r.stderr, /internal error/);
}

/** The `tanzhen: warning:` lines of stderr. */
const warnings = (stderr) => stderr.split('\n').filter((l) => l.startsWith('tanzhen: warning:'));

test('source targets that are not functions are unmatched, named plainly; frozen exports do not stop the probe', async () => {
  const bare = await tanzhen(['run', '-q', '--', 'node', 'main.js'], { cwd });
  assert.equal(bare.stdout, '5 7 3 box 1 2 2 true true true false false\n');
  const targets = ['./lib.js:count', './lib.js:total', './lib.js:Box.size', './lib.js:Box.kind', './lib.js:frozen.f', './lib.js:sealed.g', './lib.js:locked'];
  const r = await probe(targets, ['node', 'main.js'], { cwd });
  assertClean(r, bare);
  // Getters and setters of classes go by the property's name; functions in frozen or sealed objects and
  // behind non-writable, non-configurable properties are timed where they are defined.
  assert.deepEqual(calls(r.summary), { 'Box.size': 2, 'Box.kind': 1, 'frozen.f': 1, 'sealed.g': 1, locked: 1 });
  assert.deepEqual(r.summary.unmatched, [
    { target: './lib.js:count', message: 'no function count in ./lib.js' },
    { target: './lib.js:total', message: 'no function total in ./lib.js' },
  ]);
  assert.deepEqual(warnings(r.stderr), []);
});

test('a getter-only built-in export and a non-function: one warning each, and no "did you mean" the same name', async () => {
  const bare = await tanzhen(['run', '-q', '--', 'node', '-e', 'console.log(typeof require("fs").promises.readFile)'], {});
  const r = await probe(['fs:promises', 'crypto:webcrypto', 'fs:constants'], ['node', '-e', 'console.log(typeof require("fs").promises.readFile)']);
  assertClean(r, bare);
  assert.deepEqual(warnings(r.stderr), [
    'tanzhen: warning: fs:promises: promises is a getter/setter property, not a function; not probed',
    'tanzhen: warning: crypto:webcrypto: webcrypto is a getter/setter property, not a function; not probed',
    'tanzhen: warning: fs:constants: constants is not a function (it is an object); not probed',
  ]);
  assert.deepEqual(r.summary.unmatched.map((u) => u.message), ['no function promises in fs', 'no function webcrypto in crypto', 'no function constants in fs']);
});

test('frozen and non-configurable built-in exports: read-only ones warn once, replaceable ones are probed', async () => {
  const program = ['node', '-e', 'const qs = require("querystring"), u = require("util"); console.log(qs.escape("a b"), Object.isFrozen(qs), u.format("%d", 1), u.inspect(2))'];
  const env = { NODE_OPTIONS: preload };
  const bare = await tanzhen(['run', '-q', '--', ...program], { env });
  assert.equal(bare.stdout, 'a%20b true 1 2\n');
  const r = await probe(['querystring:escape', 'querystring:*', 'util:inspect', 'util:format'], program, { env });
  assertClean(r, bare);
  assert.deepEqual(warnings(r.stderr), [
    'tanzhen: warning: querystring:escape: escape is read-only (frozen or non-configurable); not probed',
    'tanzhen: warning: querystring:*: 7 functions are read-only (frozen or non-configurable): unescapeBuffer, unescape, escape, stringify, encode, parse, decode; not probed',
  ]);
  // Non-configurable but writable, or non-writable but configurable: the wrapper can take its place.
  assert.equal(fn(r.summary, 'inspect').calls >= 1, true);
  assert.equal(fn(r.summary, 'format').calls >= 1, true);
  assert.deepEqual(r.summary.unmatched.map((u) => u.message), ['no function escape in querystring', 'no function * in querystring']);
});

test('a warning is given once per run, not once per process', async () => {
  const r = await probe(['fs:promises', './lib.js:locked'], ['node', 'main.js', 'children'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fn(r.summary, 'locked').calls, 3);
  assert.deepEqual(warnings(r.stderr), ['tanzhen: warning: fs:promises: promises is a getter/setter property, not a function; not probed']);
});
