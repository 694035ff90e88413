// Every way a module reaches Node: CJS, ESM, each loading the other,
// dynamic import, TypeScript (tsx and Node's type stripping), packages and built-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { calls, fixture, fn, probe, root } from './helpers.mjs';

test('CommonJS: exported, unexported, arrow and exports.x = function; internal calls count', async () => {
  const r = await probe(['./lib.js:*'], ['node', 'main.js'], { cwd: fixture('cjs') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '20 3 42\n');
  assert.deepEqual(calls(r.summary), { outer: 1, inner: 5, arrow: 1, viaExports: 1 });
  const outer = fn(r.summary, 'outer');
  assert.equal(outer.file, path.join(fixture('cjs'), 'lib.js'));
  assert.equal(outer.line, 5);
  assert.equal(outer.target, './lib.js:*');
  assert.ok(outer.totalMs > 0 && outer.p50Ms > 0 && outer.maxMs >= outer.p99Ms);
});

test('ESM: live bindings, export *, default export, hidden function, dynamic import', async () => {
  const r = await probe(['./lib.js:*'], ['node', 'main.js'], { cwd: fixture('esm') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '20 X default!\nlive binding 2 2\ndynamic 30\n');
  assert.deepEqual(calls(r.summary), { visible: 2, hidden: 2, arrow: 1, bump: 2, default: 1 });
});

test('ESM importing CommonJS', async () => {
  const r = await probe(['./helper.cjs:fromCjs'], ['node', 'esm-main.mjs'], { cwd: fixture('mixed') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'cjs:1\n');
  assert.equal(fn(r.summary, 'fromCjs').calls, 1);
});

test('CommonJS requiring ESM (require(esm))', async () => {
  const r = await probe(['./esm-lib.mjs:fromEsm'], ['node', 'cjs-main.cjs'], { cwd: fixture('mixed') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'esm:2\n');
  assert.equal(fn(r.summary, 'fromEsm').calls, 1);
});

test('TypeScript run by tsx: names and lines are the .ts file’s', async () => {
  const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
  const r = await probe(['./shapes.ts:*'], ['node', tsx, 'main.ts'], { cwd: fixture('ts') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '15.708\n');
  assert.deepEqual(calls(r.summary), { 'Circle.unit': 1, total: 1, 'Circle.constructor': 2, 'Circle.area': 2 });
  assert.equal(fn(r.summary, 'Circle.area').line, 10);
});

test('TypeScript run by Node’s own type stripping', { skip: !process.features.typescript && 'this Node has no type stripping' }, async () => {
  const r = await probe(['./shapes.ts:Circle.area', './shapes.ts:total'], ['node', 'main.ts'], { cwd: fixture('ts') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '15.708\n');
  assert.deepEqual(calls(r.summary), { total: 1, 'Circle.area': 2 });
  assert.equal(fn(r.summary, 'total').line, 18);
});

test('a package in node_modules, and built-ins imported both ways', async () => {
  const r = await probe(['fake-db:*', 'fs:readFileSync'], ['node', 'main.js'], { cwd: fixture('pkg') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  assert.equal(fn(r.summary, 'Pool.query').calls, 3);
  assert.equal(fn(r.summary, 'connect').calls, 1);
  const read = fn(r.summary, 'readFileSync');
  assert.equal(read.file, 'node:fs');
  // One require('fs') call and two through `import { readFileSync } from 'node:fs'`; Node's own loader may add more.
  assert.ok(read.calls >= 3, `readFileSync calls: ${read.calls}`);
});

test('node: prefix and a dotted path into a built-in', async () => {
  const r = await probe(['node:fs:readFileSync', 'fs:promises.readFile'], ['node', '-e', "require('fs').promises.readFile(__filename ?? process.argv[1]).catch(()=>{}); require('node:fs').readFileSync('/dev/null')"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fn(r.summary, 'promises.readFile').calls, 1);
  assert.ok(fn(r.summary, 'readFileSync').calls >= 1);
});

test('a file inside a package, targeted with or without its extension (CommonJS and ES module)', async () => {
  const targets = ['fake-db/lib/pool.js:Pool.query', 'fake-db/lib/index:connect', 'fake-esm/lib/utils.js:slugify', 'fake-esm/lib/utils:slugify'];
  const r = await probe(targets, ['node', 'subpaths.mjs'], { cwd: fixture('pkg') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello-world\n');
  assert.deepEqual(r.summary.unmatched, []);
  assert.equal(fn(r.summary, 'Pool.query').calls, 1);
  assert.equal(fn(r.summary, 'connect').calls, 1);
  assert.equal(fn(r.summary, 'slugify').calls, 1);
  assert.doesNotMatch(r.stderr, /never loaded/);
});
