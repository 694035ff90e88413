// The shapes real packages are written in, each one a way the probe once
// broke a program (issue 10): run bare and through the real `tanzhen run`
// with `*` on every file, output and exit code must be identical, and the
// figures in summary.json exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { calls, fixture, fn, node, probe } from './helpers.mjs';

const dir = fixture('shapes');

function bare(args, env = {}) {
  const r = spawnSync(node, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function same(targets, args, extra = []) {
  const expected = bare(args);
  assert.ok(expected.code === 0 || args[0] === 'unhandled.js', `bare run failed: ${expected.stderr}`);
  const probed = await probe(targets, [node, ...args], { cwd: dir, extra });
  assert.equal(probed.stdout, expected.stdout, probed.stderr);
  assert.equal(probed.code, expected.code, probed.stderr);
  assert.doesNotMatch(probed.stderr, /warning/, probed.stderr);
  return { expected, probed, summary: probed.summary };
}

const ALL = ['./directives.js:*', './directives.mjs:*', './tight.js:*', './finally.js:*', './promises.js:*'];

test('directives without semicolons, await(/yield( without spaces, return through finally, returned promises', async () => {
  const { summary } = await same(ALL, ['shapes-main.js']);
  const c = calls(summary);
  assert.equal(c.strictAdd, 1);
  assert.equal(c.clientish, 1);
  assert.equal(c.esm, 1);
  assert.equal(c.aw, 1);
  assert.equal(c.agen, 1);
  assert.equal(c.handle, 50);
  assert.equal(c.inner, 51);
  for (const name of ['mc', 'mg', 'ya', 'yy', 'asi']) assert.equal(c[name], 1, name);
  assert.equal(c.br, 2);
  assert.equal(fn(summary, 'throwsInFinally').errors, 1);
  assert.equal(fn(summary, 'overrides').errors, 0);
  // The time of a synchronous finally after a return is the call's.
  assert.ok(fn(summary, 'slowFinally').totalMs >= 25, `slowFinally ${fn(summary, 'slowFinally').totalMs} ms`);
  // A handled rejection of the program's own promise: an error of the call, never an unhandled rejection.
  assert.equal(fn(summary, 'handledOwn').errors, 1);
  assert.ok(fn(summary, 'rejectsLater').totalMs >= 15);
  assert.equal(fn(summary, 'rejectsLater').errors, 1);
  assert.ok(fn(summary, 'resolvesLater').totalMs >= 15);
  // `return await` in try/finally: every call is a root (the tree does not grow one level per call).
  const handle = summary.tree.find((n) => n.name === 'handle');
  assert.equal(handle.calls, 50);
  assert.deepEqual(handle.children, []);
  const inner = summary.tree.find((n) => n.name === 'inner');
  assert.equal(inner?.calls, 51, 'inner() after handle() is a root call, not nested under a finished call');
});

test('a for-await loop and an async generator\'s return step aside while they wait', async () => {
  const { summary } = await same(['./forawait.js:*'], ['forawait-main.js']);
  const serve = summary.tree.find((n) => n.name === 'serve');
  assert.deepEqual(serve.children.map((c) => [c.name, c.calls]).sort(), [['other', 1], ['pending', 1]], 'only the call after the loop is serve\'s');
  assert.deepEqual(summary.tree.find((n) => n.name === 'never').children, []);
  const roots = summary.tree.find((n) => n.name === 'other');
  assert.equal(roots.calls + 1, fn(summary, 'other').calls, 'every interval call is a root');
});

test('modules that declare their own Symbol or globalThis (lodash has `var Symbol`)', async () => {
  for (const [file, name] of [['shadow-symbol.js', 'f'], ['shadow-global.js', 'g']]) {
    const { summary } = await same([`./${file}:*`], [file]);
    assert.equal(fn(summary, name).calls, 1, file);
  }
});

test('a later Module.prototype._compile hook (source-map-support, as tap loads it) wraps ours', async () => {
  const { summary } = await same(['./hooked.js:*'], ['compile-hook-main.js']);
  assert.equal(fn(summary, 'hooked').calls, 1);
});

test('Function.prototype.toString gives the original text: serialised functions run elsewhere', async () => {
  const { expected } = await same(['./serialise.js:*', 'fs:readFileSync'], ['serialise.js']);
  assert.match(expected.stdout, /^2\n9\n2\n4\n/);
  assert.doesNotMatch(expected.stdout, /__tz/);
});

test('`with`: no name of ours is looked up on the user object; functions inside a with body stay untouched', async () => {
  const { probed, summary } = await same(['./with.js:*'], ['with.js']);
  assert.match(probed.stdout, /no probe names looked up/);
  const c = calls(summary);
  assert.equal(c.usesWith, 1);
  assert.equal(c.plain, 1);
  assert.equal(c.insideWith, undefined, 'a function inside a with body is left as written');
});

test('recursion: at least 90% of the bare depth (first runs, before the optimising compiler)', async () => {
  // A deep recursion's frames are interpreter and baseline frames the first time it runs; optimised frames
  // are measured and printed too (docs/reliability.md has the figures and why they differ).
  const depths = {};
  for (const flags of [['--no-opt', '--no-maglev'], []]) {
    const expected = Number(bare([...flags, 'depth.js']).stdout);
    const probed = await probe(['./depth.js:rec'], [node, ...flags, 'depth.js'], { cwd: dir });
    assert.equal(probed.code, 0, probed.stderr);
    const depth = Number(probed.stdout);
    depths[flags.join(' ') || 'default'] = [expected, depth];
    console.log(`recursion depth ${flags.join(' ') || '(optimising)'}: bare ${expected}, probed ${depth} (${((depth / expected) * 100).toFixed(1)}%)`);
    assert.ok(fn(probed.summary, 'rec').calls > depth);
  }
  const [expected, depth] = depths['--no-opt --no-maglev'];
  assert.ok(depth >= 0.9 * expected, `bare ${expected}, probed ${depth}`);
});

test('--sample: rejected promises are errors whether or not the call was timed', async () => {
  const { summary } = await same(['./sample.js:*'], ['sample.js'], ['--sample', '0.01']);
  assert.equal(fn(summary, 'rejects').errors, 200);
  assert.equal(fn(summary, 'plainRejects').errors, 200);
  assert.equal(fn(summary, 'plainRejects').calls, 200);
});

test('a rejection nobody handles, of a plain function returning a promise: the one documented difference', async () => {
  // Bare: Node ends the process (unhandled rejection). Probed: the probe's reaction that times the promise
  // counts as a handler, so the program goes on; the call is counted as an error. See docs/reliability.md.
  const expected = bare(['unhandled.js']);
  assert.equal(expected.code, 1);
  assert.match(expected.stderr, /nobody handles me/);
  const probed = await probe(['./unhandled.js:fails'], [node, 'unhandled.js'], { cwd: dir });
  assert.equal(probed.code, 0, probed.stderr);
  assert.equal(probed.stdout, 'still running\n');
  assert.equal(fn(probed.summary, 'fails').errors, 1);
});
