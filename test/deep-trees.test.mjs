// Call trees as deep as a program's calls go: every walk over a tree (the
// merge into summary.json, report --tree/--json, report.html, trace.json,
// the OTLP trace resolver) is iterative, so depth costs memory, not stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, probe, tanzhen } from './helpers.mjs';

const DEPTH = 100_000;

/** The depth of a summary tree, and its deepest node, found without recursion. */
function deepest(nodes) {
  let depth = 0;
  let node;
  for (let level = nodes; level.length > 0; level = level[0].children) {
    assert.equal(level.length, 1, 'one chain');
    node = level[0];
    depth++;
  }
  return { depth, node };
}

test(`a call tree ${DEPTH} levels deep: summary.json, report --tree and --json, report.html, trace.json`, { timeout: 300_000 }, async () => {
  // Past the default --max-nodes (50 000): a chain this deep is every path there is.
  const r = await probe(['./deep.js:descend'], ['node', 'deep.js', String(DEPTH)], { cwd: fixture('nesting'), timeout: 240_000, extra: ['--max-nodes', String(DEPTH)] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  assert.doesNotMatch(r.stderr, /warning/);
  const { depth, node } = deepest(r.summary.tree);
  assert.equal(depth, DEPTH);
  assert.equal(node.name, 'descend');
  assert.equal(node.calls, 1);
  assert.equal(r.summary.functions[0].calls, DEPTH);
  for (const file of ['report.html', 'trace.json']) assert.ok(existsSync(path.join(r.out, file)), file);
  assert.ok(readFileSync(path.join(r.out, 'report.html'), 'utf8').includes('descend'));

  const tree = await tanzhen(['report', r.out, '--tree'], { timeout: 120_000 });
  assert.equal(tree.code, 0, tree.stderr);
  const lines = tree.stdout.trimEnd().split('\n');
  assert.equal(lines.length, DEPTH + 1);
  assert.match(lines[1], /^└─ descend\s+1\s/);
  assert.match(lines[2], /^ {3}└─ descend\s+1\s/);
  // Deep rows count the levels above their last ten instead of indenting without end.
  assert.match(lines[DEPTH], new RegExp(`^… ${DEPTH - 1 - 10} levels … {31}└─ descend\\s+1\\s`));
  assert.ok(lines.every((line) => line.length <= 200), 'rows stay within the width');

  const json = await tanzhen(['report', r.out, '--json'], { timeout: 120_000 });
  assert.equal(json.code, 0, json.stderr);
  assert.equal(deepest(JSON.parse(json.stdout).tree).depth, DEPTH);
});

test('process trees merge by path, however deep (unit)', async () => {
  const { buildSummary } = await import('../dist/report/summary.js');
  const report = (pid, depth) => ({
    version: 1, pid, threadId: 0, runtime: 'node', runtimeVersion: 'v0', argv: [], startedAt: pid, matched: [], candidates: {}, warnings: [],
    functions: [{ target: 'x:f', name: 'f', file: '/x.js', calls: depth, errors: 0, totalMs: 1, selfMs: 1, maxMs: 1, histogram: [] }],
    tree: Array.from({ length: depth }, (_, i) => ({ parent: i - 1, fn: 0, calls: 1, totalMs: depth - i, selfMs: 1 })),
  });
  const summary = buildSummary([report(1, DEPTH), report(2, DEPTH / 2)], { command: [], exitCode: 0, targets: [] });
  const { depth, node } = deepest(summary.tree);
  assert.equal(depth, DEPTH);
  assert.equal(node.calls, 1);
  assert.equal(summary.tree[0].calls, 2, 'the shared top merges');
  assert.equal(summary.tree[0].totalMs, DEPTH + DEPTH / 2);
});

test('JSON of any depth: the same text as JSON.stringify where that works, compact past the indented levels (unit)', async () => {
  const { stringifyJson } = await import('../dist/common/json.js');
  const samples = [
    { a: 1, b: [1, 'two', null, true, { c: [] }, {}], d: undefined, e: () => 1, f: 'q"\n\u2028', g: -0, h: NaN, i: [undefined, () => 1] },
    [],
    {},
    'text',
    42,
    null,
    [[[[1]]], { x: { y: { z: [2, 3] } } }],
  ];
  for (const value of samples) {
    assert.equal(stringifyJson(value), JSON.stringify(value));
    assert.equal(stringifyJson(value, 2), JSON.stringify(value, null, 2));
  }
  let deep = { children: [] };
  const top = deep;
  for (let i = 0; i < DEPTH; i++) deep = deep.children[0] = { n: i, children: [] };
  // (JSON.stringify(top) throws RangeError up to Node 24; indented, its text would grow with the square of the depth.)
  const text = stringifyJson(top, 2);
  assert.ok(text.length < 40 * DEPTH, `${text.length} characters`);
  let parsed = JSON.parse(text);
  for (let i = 0; i < DEPTH; i++) parsed = parsed.children[0];
  assert.equal(parsed.n, DEPTH - 1);
});

test('OTLP: a chain of calls waiting for their root resolves without recursion (unit)', async () => {
  const { TraceResolver } = await import('../dist/exporters/otlp/traces.js');
  const { IdSpace } = await import('../dist/exporters/otlp/ids.js');
  const ids = new IdSpace('salt', 1, 0);
  const resolver = new TraceResolver({ programParents: new Map() }, ids, { maxWaitMs: 1000, maxPending: 2 * DEPTH });
  const records = [];
  // End order: the deepest call ends first, the root last.
  for (let id = DEPTH; id >= 1; id--) records.push({ id, parentId: id - 1, fn: 0, startEpochMs: 0, durationMs: 1, error: false });
  const out = [];
  resolver.add(records, 0, out);
  assert.equal(out.length, DEPTH);
  assert.equal(new Set(out.map((s) => s.traceId)).size, 1);
  assert.equal(resolver.pendingCount, 0);
});
