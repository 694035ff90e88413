// Names from TypeScript sources: whatever a loader compiles a .ts file into
// (tsx/esbuild, TypeScript's own transpiler as ts-node uses it, Node's type
// transform), functions are matched and reported by the names and lines the
// user wrote: decorated classes, namespaces, enums, abstract members, overloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fixture, probe, root, tempDir } from './helpers.mjs';

const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const dir = fixture('ts-names');

/** Every name written in ts-names/lib.ts and shapes.ts, with its line. */
const DECORATED = { log: 2, sealed: 3, 'Svc.greet': 8, 'Svc.make': 11 };
const SHAPES = {
  'A.B.f': 2,
  paint: 9,
  'Shape.describe': 15,
  'Sq.constructor': 19,
  'Sq.area': 20,
  over: 25,
  'Expr.run': 30,
  'A.B.g': 34,
  'A.B.K.m': 35,
  'A.B.hidden': 36,
  'A.B.viaHidden': 37,
  'Outer.Inner.deep': 39,
  callDeep: 40,
};
const OUTPUT = 'hi a hi b 2 Green area 9 3 1\n4 7 1 3\n';
const ALL = ['./lib.ts:*', './shapes.ts:*'];

const lines = (summary) => Object.fromEntries(summary.functions.map((f) => [f.name, f.line]));
const messages = (summary) => Object.fromEntries(summary.unmatched.map((u) => [u.target, u.message]));

const loaders = {
  tsx: ['node', tsx, 'main.ts'],
  'TypeScript’s transpiler (as ts-node)': ['node', '--import', './register-tsc.mjs', 'main.ts'],
};

for (const [loader, command] of Object.entries(loaders)) {
  test(`${loader}: * reports every function by its written name and .ts line`, async () => {
    const r = await probe(ALL, command, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, OUTPUT);
    assert.deepEqual(lines(r.summary), { ...DECORATED, ...SHAPES });
    for (const f of r.summary.functions) assert.equal(f.calls, f.name === 'Svc.greet' ? 2 : 1, f.name);
    assert.deepEqual(r.summary.unmatched, []);
  });

  test(`${loader}: written names as targets; "did you mean" lists written names`, async () => {
    const targets = ['./lib.ts:Svc.greet', './shapes.ts:A.B.f', './shapes.ts:Outer.Inner.deep', './lib.ts:Svc.gret', './shapes.ts:A.B.ff', './shapes.ts:f'];
    const r = await probe(targets, command, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, OUTPUT);
    assert.deepEqual(lines(r.summary), { 'Svc.greet': 8, 'A.B.f': 2, 'Outer.Inner.deep': 39 });
    assert.deepEqual(messages(r.summary), {
      './lib.ts:Svc.gret': 'no function Svc.gret in ./lib.ts; did you mean Svc.greet?',
      './shapes.ts:A.B.ff': 'no function A.B.ff in ./shapes.ts; did you mean A.B.f or A.B.g?',
      './shapes.ts:f': 'no function f in ./shapes.ts; did you mean A.B.f?',
    });
  });
}

test('a map whose original cannot be read: the compiled names, as before', async () => {
  const r = await probe(ALL, loaders['TypeScript’s transpiler (as ts-node)'], { cwd: dir, env: { TSC_SOURCE_ROOT: '/nowhere/' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  // TypeScript renames a decorated class that refers to itself, and namespace functions lose their path.
  const names = Object.keys(lines(r.summary));
  assert.ok(names.includes('Svc_1.greet') && names.includes('f') && names.includes('deep'), names.join(' '));
});

/** TC39 decorators: esbuild compiles `@sealed class Svc` to `_Svc` and adds a constructor running the decorators' initializers. */
async function tc39(cwd) {
  const r = await probe([...ALL, './lib.ts:_Svc.greet'], ['node', tsx, '--tsconfig', 'tsconfig.tc39.json', 'main.ts'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  const found = lines(r.summary);
  // The added constructor is named after the class as written, on its line (absent where the loader hands over the .ts itself).
  if ('Svc.constructor' in found) assert.equal(found['Svc.constructor'], 6);
  delete found['Svc.constructor'];
  assert.deepEqual(found, { ...DECORATED, ...SHAPES });
  assert.equal(r.summary.functions.find((f) => f.name === 'Svc.greet').calls, 2);
  assert.deepEqual(messages(r.summary), { './lib.ts:_Svc.greet': 'no function _Svc.greet in ./lib.ts; did you mean Svc.greet?' });
}

test('tsx, TC39 decorators (ES module): Svc, not _Svc', () => tc39(dir));

// On Node ≥ 22.15 tsx's CommonJS handler for .ts compiles outside module.registerHooks: the _compile hook sees it.
test('tsx, TC39 decorators (CommonJS): Svc, not _Svc', async () => {
  const cjs = tempDir();
  for (const file of ['lib.ts', 'shapes.ts', 'main.ts', 'tsconfig.tc39.json']) copyFileSync(path.join(dir, file), path.join(cjs, file));
  writeFileSync(path.join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
  await tc39(cjs);
});

const transformTypes = process.allowedNodeEnvironmentFlags.has('--experimental-transform-types');
test('Node’s --experimental-transform-types: namespaces, enums, abstract members, overloads', { skip: !transformTypes && 'this Node has no type transform' }, async () => {
  const r = await probe(['./shapes.ts:*', './shapes.ts:A.B.f'], ['node', '--experimental-transform-types', '--no-warnings', 'strip-main.ts'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '2 Green area 9 3 1\n4 7 1 3\n');
  assert.deepEqual(lines(r.summary), SHAPES);
  assert.deepEqual(r.summary.unmatched, []);
});

test('tsc outDir with source maps: the program runs dist/, targets and reports are the .ts names and lines', async () => {
  const cwd = tempDir('tz-tsc-outdir-');
  cpSync(dir, cwd, { recursive: true });
  const ts = createRequire(import.meta.url)('typescript');
  const program = ts.createProgram([path.join(cwd, 'main.ts')], {
    outDir: path.join(cwd, 'dist'),
    sourceMap: true,
    experimentalDecorators: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    rewriteRelativeImportExtensions: true,
    skipLibCheck: true,
    noLib: true,
    types: [],
  });
  assert.equal(program.emit().emitSkipped, false);
  // In dist/lib.js the decorated class is `Svc_1` inside, namespace functions are plain `f`: the maps lead back.
  const r = await probe(ALL, ['node', 'dist/main.js'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  assert.deepEqual(lines(r.summary), { ...DECORATED, ...SHAPES });
  for (const f of r.summary.functions) assert.equal(f.calls, f.name === 'Svc.greet' ? 2 : 1, f.name);
  for (const f of r.summary.functions) assert.match(f.file, /(lib|shapes)\.ts$/, f.name);
  assert.deepEqual(r.summary.unmatched, []);
});
