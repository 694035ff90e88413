// `*` at scale: wildcard targets time a sample of a hot function's calls
// (every call still counted), and a process keeps at most --max-nodes call
// paths, later ones going under "(other calls)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, fn, node, probe, tanzhen, tempDir } from './helpers.mjs';

const cwd = fixture('scale');
const bare = execFileSync(node, ['paths.js', '100'], { cwd, encoding: 'utf8' });

/** Every node of a summary tree, without recursion. */
function nodes(tree) {
  const out = [];
  for (const pending = [...tree]; pending.length > 0; ) {
    const n = pending.pop();
    out.push(n);
    pending.push(...n.children);
  }
  return out;
}

test('wildcard targets sample hot functions by default; named ones and --sample 1 time every call', async () => {
  const wild = await probe(['./paths.js:*'], ['node', 'paths.js', '100'], { cwd });
  assert.equal(wild.code, 0, wild.stderr);
  assert.equal(wild.stdout, bare);
  const hot = fn(wild.summary, 'hot');
  assert.equal(hot.calls, 200_000, 'every call counted');
  assert.ok(hot.sampleEvery > 1, `hot is sampled: ${JSON.stringify(hot)}`);
  assert.equal(fn(wild.summary, 'route').calls, 100);
  // The first 64 calls of a function are timed before its rate is first measured.
  assert.equal(fn(wild.summary, 'a').calls, 34);
  assert.equal(fn(wild.summary, 'a').sampleEvery, undefined, 'too few calls to sample');

  const named = await probe(['./paths.js:hot'], ['node', 'paths.js', '100'], { cwd });
  assert.equal(fn(named.summary, 'hot').calls, 200_000);
  assert.equal(fn(named.summary, 'hot').sampleEvery, undefined);

  const all = await probe(['./paths.js:*'], ['node', 'paths.js', '100'], { cwd, extra: ['--sample', '1'] });
  assert.equal(fn(all.summary, 'hot').calls, 200_000);
  assert.equal(fn(all.summary, 'hot').sampleEvery, undefined);
});

test('--max-nodes: paths past the cap go under "(other calls)", function figures stay whole', async () => {
  const full = await probe(['./paths.js:*'], ['node', 'paths.js', '100'], { cwd, extra: ['--sample', '1'] });
  const capped = await probe(['./paths.js:*'], ['node', 'paths.js', '100'], { cwd, extra: ['--sample', '1', '--max-nodes', '4'] });
  assert.equal(capped.code, 0, capped.stderr);
  assert.equal(capped.stdout, bare);
  assert.equal(full.summary.treeLimit, undefined);
  assert.equal(capped.summary.treeLimit, 4);
  assert.match(capped.stderr, /^tanzhen: warning: the call tree reached 4 paths in a process: .*"\(other calls\)".*--max-nodes N$/m);
  assert.deepEqual(
    capped.summary.functions.map((f) => [f.name, f.calls]).sort(),
    full.summary.functions.map((f) => [f.name, f.calls]).sort(),
  );
  const all = nodes(capped.summary.tree);
  const other = all.filter((n) => n.name === '(other calls)');
  assert.ok(other.length > 0);
  assert.ok(all.length < nodes(full.summary.tree).length);
  // Calls in the tree add up to the calls made: each call is in exactly one node.
  const inTree = all.reduce((sum, n) => sum + n.calls, 0);
  assert.equal(inTree, capped.summary.functions.reduce((sum, f) => sum + f.calls, 0));
  // An "other calls" node takes in what its calls called: its total is no more than its parent's.
  for (const parent of all) for (const child of parent.children) assert.ok(child.totalMs <= parent.totalMs + 1e-3, `${child.name} under ${parent.name}`);
});

test('--max-nodes takes a whole number ≥ 1', async () => {
  for (const bad of ['0', 'many']) {
    const r = await tanzhen(['run', '--max-nodes', bad, '--', 'node', '-e', '0'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tanzhen: --max-nodes takes a whole number ≥ 1, not "[^"]+"\n$/);
  }
});

test('20 000 functions and a million spans: summary.json, trace.json and report.html are all written', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const N = 20_000;
  const ROUNDS = 50;
  const lines = [];
  for (let i = 0; i < N; i++) lines.push(`function f${i}(x) { return x + ${i}; }`);
  lines.push(`const all = [${Array.from({ length: N }, (_, i) => `f${i}`).join(',')}];`);
  lines.push(`let sum = 0;\nfor (let r = 0; r < ${ROUNDS}; r++) for (const f of all) sum += f(r);\nconsole.log(sum);`);
  writeFileSync(path.join(dir, 'many.js'), lines.join('\n') + '\n');
  const started = performance.now();
  const r = await probe(['./many.js:*'], ['node', 'many.js'], { cwd: dir, extra: ['-q', '--sample', '1', '--max-spans', String(N * ROUNDS)], timeout: 280_000 });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, execFileSync(node, ['many.js'], { cwd: dir, encoding: 'utf8' }));
  assert.doesNotMatch(r.stderr, /could not|warning/);
  assert.equal(r.summary.functions.length, N);
  assert.ok(r.summary.functions.every((f) => f.calls === ROUNDS));
  assert.equal(r.summary.droppedSpans, 0);
  // trace.json: one complete event per call, read back whole.
  const trace = JSON.parse(readFileSync(path.join(r.out, 'trace.json'), 'utf8'));
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'X').length, N * ROUNDS);
  const html = statSync(path.join(r.out, 'report.html'));
  assert.ok(html.size > 0);
  const sizes = ['summary.json', 'trace.json', 'report.html'].map((f) => `${f} ${(statSync(path.join(r.out, f)).size / 1e6).toFixed(1)} MB`);
  console.log(`# ${N} functions, ${N * ROUNDS} spans: ${sizes.join(', ')}; whole run ${seconds} s`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(r.out, { recursive: true, force: true });
});
