// The pieces with no process around them: target grammar, histogram,
// suggestions, the rewriter's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget, splitTraceList } from '../dist/common/target.js';
import { BUCKETS, bucketOf, bucketRange, Histogram, toSparse } from '../dist/common/histogram.js';
import { nearest } from '../dist/report/suggest.js';
import { rewrite } from '../dist/agent/instrument/rewrite.js';
import { formatDuration } from '../dist/common/units.js';

test('target grammar', () => {
  assert.deepEqual(parseTarget('./lib/db.js:query', '/app'), { spec: './lib/db.js:query', module: { kind: 'file', path: '/app/lib/db.js' }, name: ['query'] });
  assert.deepEqual(parseTarget('node:fs:readFileSync', '/').module, { kind: 'builtin', name: 'fs' });
  assert.deepEqual(parseTarget('fs/promises:readFile', '/').module, { kind: 'builtin', name: 'fs/promises' });
  assert.deepEqual(parseTarget('@scope/pkg/sub/x:Client.prototype.query', '/'), {
    spec: '@scope/pkg/sub/x:Client.prototype.query',
    module: { kind: 'package', name: '@scope/pkg', subpath: 'sub/x' },
    name: ['Client', 'prototype', 'query'],
  });
  assert.deepEqual(parseTarget('./src/**/*.ts:*', '/app').module, { kind: 'glob', pattern: '/app/src/**/*.ts' });
  assert.deepEqual(parseTarget('os.path:join', '/').module, { kind: 'package', name: 'os.path', subpath: '' });
  assert.deepEqual(parseTarget('express:Router.*', '/').name, ['Router', '*']);
  for (const bad of ['x', ':f', 'x:', './a.js:*.x', './a.js:1abc', 'node:nope:f', 'a b:c', '@/x:f']) {
    assert.throws(() => parseTarget(bad, '/'), /invalid target/, bad);
  }
  assert.deepEqual(splitTraceList(' a:b ;\n c:d;;'), ['a:b', 'c:d']);
});

test('histogram buckets are monotonic, contiguous and within 1.6% of the value', () => {
  let previous = -1;
  for (let ns = 0; ns < 5e5; ns += 1 + Math.floor(ns / 100)) {
    const index = bucketOf(ns);
    assert.ok(index >= previous, `monotonic at ${ns}`);
    const [low, width] = bucketRange(index);
    assert.ok(low <= ns && ns < low + width, `${ns} in [${low}, ${low + width})`);
    assert.ok(width === 1 || width / low <= 1 / 64 + 1e-9);
    previous = index;
  }
  for (const ns of [2 ** 31, 2 ** 31 + 12345, 3.6e12, 1e13]) {
    const [low, width] = bucketRange(bucketOf(ns));
    assert.ok(low <= ns && ns < low + width, `${ns}`);
  }
  assert.equal(bucketOf(1e20), BUCKETS - 1);
});

test('histogram percentiles and merging', () => {
  const counts = new Float64Array(BUCKETS);
  for (let i = 1; i <= 1000; i++) counts[bucketOf(i * 1000)]++; // 1 µs … 1 ms
  const h = new Histogram();
  h.add(toSparse(counts));
  h.add(toSparse(counts));
  assert.equal(h.total, 2000);
  const p50 = h.quantile(0.5, 1e6);
  assert.ok(Math.abs(p50 - 500_000) / 500_000 < 0.016, String(p50));
  assert.ok(Math.abs(h.quantile(0.99, 1e6) - 990_000) / 990_000 < 0.016);
  assert.equal(h.quantile(1, 1e6), 1e6 >= h.quantile(1, 1e6) ? h.quantile(1, 1e6) : NaN);
});

test('did you mean', () => {
  assert.deepEqual(nearest('slep', ['sleep', 'wake', 'sleepy']), ['sleep', 'sleepy']);
  assert.deepEqual(nearest('zzz', ['sleep']), []);
  // A name written without its namespace or class: the qualified one first.
  assert.deepEqual(nearest('query', ['Client.query', 'Pool.query', 'quer']), ['Client.query', 'Pool.query', 'quer']);
});

test('human units', () => {
  assert.equal(formatDuration(0.00005), '50 ns');
  assert.equal(formatDuration(0.0412), '41.2 µs');
  assert.equal(formatDuration(3), '3.00 ms');
  assert.equal(formatDuration(3002.1), '3.00 s');
  assert.equal(formatDuration(125_000), '2m 05s');
});

test('rewriting adds no line and keeps directives first', () => {
  const source = '#!/usr/bin/env node\n"use strict";\nfunction f(a) {\n  "use strict";\n  return a;\n}\nconst g = () => ({ x: 1 });\nfunction empty() {}\n';
  const target = parseTarget('./m.js:*', '/');
  const out = rewrite(source, '/m.js', 'commonjs', [target]);
  const code = out.code.split('\n//# sourceMappingURL=')[0];
  const lines = code.split('\n');
  const original = source.split('\n');
  for (let i = 0; i < original.length - 1; i++) if (original[i].trim() !== '}') assert.ok(lines[i].startsWith(original[i].slice(0, 8)), `line ${i + 1}: ${lines[i]}`);
  assert.equal(lines[0], '#!/usr/bin/env node');
  assert.match(lines[1], /^"use strict";;var __tz\$=/);
  assert.match(lines[3], /^ {2}"use strict";;__tz\$&&__tz\$\.s\(/);
  assert.deepEqual(out.matched, ['./m.js:*']);
  const fn = new Function('globalThis', code.replace('#!/usr/bin/env node', '') + '\nreturn [f(5), g(), empty()];');
  assert.deepEqual(fn(globalThis), [5, { x: 1 }, undefined]);
});

test('file targets: extension and index optional; module hooks only when a target can be an ES module', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { findSourceFile } = await import('../dist/common/source-file.js');
  const { canBeEsm } = await import('../dist/agent/targets.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'tz-src-'));
  writeFileSync(path.join(dir, 'package.json'), '{}');
  writeFileSync(path.join(dir, 'a.cjs'), 'module.exports = {}');
  writeFileSync(path.join(dir, 'b.mjs'), 'export const b = 1');
  writeFileSync(path.join(dir, 'c.js'), 'module.exports = {}');
  writeFileSync(path.join(dir, 'd.js'), 'export function d() {}');
  mkdirSync(path.join(dir, 'e'));
  writeFileSync(path.join(dir, 'e', 'index.ts'), 'export const e = 1');
  assert.equal(findSourceFile(path.join(dir, 'a')), path.join(dir, 'a.cjs'));
  assert.equal(findSourceFile(path.join(dir, 'e')), path.join(dir, 'e', 'index.ts'));
  assert.equal(findSourceFile(path.join(dir, 'nope')), undefined);
  const esm = (name) => canBeEsm([parseTarget(`./${name}:f`, dir)]);
  assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'nope'].map(esm), [false, true, false, true, true, true]);
});
