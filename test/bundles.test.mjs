// Targets by source names inside bundles (issue 13): one small app, written
// in TypeScript (ts/) and in JavaScript (js/), with a dependency in
// node_modules, built by the real tools into a temp dir once for this file:
// esbuild (bundled, minified, external and inline maps, CommonJS and ES
// module output), webpack (production, devtool source-map), rollup, tsc
// (outDir with maps); and marked, a minified npm package shipping its map.
// Each build runs bare and probed: the same output, functions found and
// reported by the names, files and lines of the sources, counts exact.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { major, node, probe, root, tempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const dir = tempDir('tz-bundles-');

const DB_TS = `// A small database client: the functions the tests name.
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Client {
  constructor(private readonly name: string) {}

  async query(sql: string): Promise<string[]> {
    await wait(2);
    return parseRows(sql);
  }

  connect(): string {
    return \`connected \${this.name}\`;
  }
}

export function parseRows(sql: string): string[] {
  return sql.split(' ').filter((word) => word.length > 0);
}
`;
// The same lines, as JavaScript.
const DB_JS = DB_TS.replace(': Promise<void>', '')
  .replace('(ms: number)', '(ms)')
  .replace('constructor(private readonly name: string) {}', 'constructor(name) { this.name = name; }')
  .replace(/\(sql: string\): Promise<string\[\]>/, '(sql)')
  .replace('connect(): string', 'connect()')
  .replace('(sql: string): string[]', '(sql)');
const MAIN = (db) => `import { Client } from '${db}';
import { shout } from 'tiny-lib';

async function main()${db === './db' ? ': Promise<void>' : ''} {
  const client = new Client('app');
  console.log(client.connect());
  for (const sql of ['select a', 'select b c']) console.log((await client.query(sql)).join(','));
  console.log(shout('done'));
}

main();
`;
const LIB = `'use strict';
function shout(text) {
  return text.toUpperCase() + '!';
}
exports.shout = shout;
`;
const COUNT_CJS = `'use strict';
function count(items) {
  return items.length;
}
module.exports = { count };
`;
const OUTPUT = 'connected app\nselect,a\nselect,b,c\nDONE!\n';

/** Calls and line of every function the app has, as written. */
const WRITTEN = {
  main: [1, 4, 'main'],
  'Client.query': [2, 9, 'db'],
  wait: [2, 2, 'db'],
  'Client.constructor': [1, 7, 'db'],
  'Client.connect': [1, 14, 'db'],
  parseRows: [2, 19, 'db'],
  shout: [1, 2, 'lib'],
};

const builds = {};

before(async () => {
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write('package.json', '{ "name": "bundled-app", "private": true }\n');
  write('node_modules/tiny-lib/package.json', '{ "name": "tiny-lib", "version": "1.0.0", "main": "index.js" }\n');
  write('node_modules/tiny-lib/index.js', LIB);
  write('ts/db.ts', DB_TS);
  write('ts/main.ts', MAIN('./db'));
  write('js/db.js', DB_JS);
  write('js/main.js', MAIN('./db.js'));
  write('cjs/count.cjs', COUNT_CJS);
  write('cjs/main.cjs', "const { count } = require('./count.cjs');\nconsole.log(count([1, 2, 3]));\n");
  // marked from this repository's node_modules, as the program's own dependency.
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(path.join(root, 'node_modules/marked'), path.join(dir, 'node_modules/marked'), 'dir');
  write('md.mjs', "import { marked } from 'marked';\nfor (const text of ['# one', '- a\\n- b', 'plain *em*']) process.stdout.write(marked.parse(text));\n");

  const esbuild = require('esbuild');
  const es = (out, options) => {
    esbuild.buildSync({ absWorkingDir: dir, entryPoints: ['ts/main.ts'], bundle: true, platform: 'node', outfile: out, logLevel: 'silent', ...options });
    return out;
  };
  builds['esbuild'] = es('dist/esbuild.js', { sourcemap: true });
  builds['esbuild --minify'] = es('dist/esbuild.min.js', { sourcemap: true, minify: true });
  builds['esbuild, inline map'] = es('dist/esbuild.inline.js', { sourcemap: 'inline' });
  builds['esbuild --minify, ES module, inline map'] = es('dist/esbuild.min.mjs', { sourcemap: 'inline', minify: true, format: 'esm' });
  es('dist/no-map.js', {});
  esbuild.buildSync({ absWorkingDir: dir, entryPoints: ['cjs/main.cjs'], bundle: true, platform: 'node', outfile: 'dist/count.js', sourcemap: true, minify: true, logLevel: 'silent' });

  const webpack = require('webpack');
  await new Promise((resolve, reject) =>
    webpack({ mode: 'production', devtool: 'source-map', target: 'node', context: dir, entry: './js/main.js', output: { path: path.join(dir, 'dist'), filename: 'webpack.js' } }, (error, stats) =>
      error || stats.hasErrors() ? reject(error ?? new Error(stats.toString('errors-only'))) : resolve(),
    ),
  );
  builds['webpack'] = 'dist/webpack.js';

  const { rollup } = require('rollup');
  const bundle = await rollup({ input: path.join(dir, 'js/main.js'), external: ['tiny-lib'] });
  await bundle.write({ file: path.join(dir, 'dist/rollup.cjs'), format: 'cjs', sourcemap: true });
  await bundle.close();
  builds['rollup'] = 'dist/rollup.cjs';

  const ts = require('typescript');
  const program = ts.createProgram([path.join(dir, 'ts/main.ts')], {
    outDir: path.join(dir, 'dist-tsc'),
    rootDir: path.join(dir, 'ts'),
    sourceMap: true,
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    skipLibCheck: true,
    noLib: true,
    noResolve: false,
    types: [],
  });
  const emitted = program.emit();
  if (emitted.emitSkipped) throw new Error('tsc emitted nothing');
  builds['tsc outDir'] = 'dist-tsc/main.js';
});

const tools = () => ({
  esbuild: require('esbuild/package.json').version,
  webpack: require('webpack/package.json').version,
  rollup: require('rollup/package.json').version,
  typescript: require('typescript/package.json').version,
  marked: require('marked/package.json').version,
});

const bare = (args) => execFileSync(node, args, { cwd: dir, encoding: 'utf8' });
const table = (summary) => Object.fromEntries(summary.functions.map((f) => [f.name, [f.calls, f.line, path.relative(dir, f.file)]]));

/** What each tool leaves of the app: production webpack (terser) inlines `wait` into Client.query. */
function expected(build, language) {
  const files = { main: `${language}/main.${language}`, db: `${language}/db.${language}`, lib: 'node_modules/tiny-lib/index.js' };
  const rows = Object.fromEntries(Object.entries(WRITTEN).map(([name, [calls, line, file]]) => [name, [calls, line, files[file]]]));
  if (build === 'webpack') delete rows.wait;
  return rows;
}

for (const build of ['esbuild', 'esbuild --minify', 'esbuild, inline map', 'esbuild --minify, ES module, inline map', 'webpack', 'rollup', 'tsc outDir']) {
  test(`${build}: targets by source names, reported at the sources' lines, output unchanged`, async () => {
    const file = builds[build];
    const language = build === 'webpack' || build === 'rollup' ? 'js' : 'ts';
    const targets = [`./${language}/db.${language}:*`, `./${language}/main.${language}:main`, 'tiny-lib:shout'];
    assert.equal(bare([file]), OUTPUT);
    const r = await probe(targets, ['node', file], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, OUTPUT);
    if (major === 20 && build === 'esbuild, inline map') {
      // Node 20's CommonJS loader: only a map file beside the bundle is looked for (bundle-map.ts mayCarryMap).
      assert.deepEqual(table(r.summary), {});
      assert.equal(r.summary.unmatched.length, targets.length);
      return;
    }
    assert.deepEqual(table(r.summary), expected(build, language), `${build} (${JSON.stringify(tools())})`);
    assert.deepEqual(r.summary.unmatched, []);
  });
}

test('one function by its source name; a misspelt one gets "did you mean" from the source', async () => {
  const r = await probe(['./ts/db.ts:Client.query', './ts/db.ts:Client.qery'], ['node', builds['esbuild --minify']], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  assert.deepEqual(table(r.summary), { 'Client.query': [2, 9, 'ts/db.ts'] });
  assert.deepEqual(r.summary.unmatched, [{ target: './ts/db.ts:Client.qery', message: 'no function Client.qery in ./ts/db.ts; did you mean Client.query?' }]);
});

test('tsc outDir, one name: the maps of modules that neither hold the name nor name the file are not read; the file’s own is', async () => {
  const r = await probe(['./ts/db.ts:parseRows', './ts/db.ts:parseRow', './ts/main.ts:mian'], ['node', builds['tsc outDir']], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  assert.deepEqual(table(r.summary), { parseRows: [2, 19, 'ts/db.ts'] });
  assert.deepEqual(r.summary.unmatched, [
    { target: './ts/db.ts:parseRow', message: 'no function parseRow in ./ts/db.ts; did you mean parseRows?' },
    { target: './ts/main.ts:mian', message: 'no function mian in ./ts/main.ts; did you mean main?' },
  ]);
});

test('a glob of sources finds them inside the bundle; trace.json, report.html and the table carry the source places', async () => {
  const r = await probe(['./ts/**/*.ts:*'], ['node', builds['esbuild --minify, ES module, inline map']], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  const { shout, ...own } = expected('esbuild', 'ts');
  assert.deepEqual(table(r.summary), own);
  const trace = readFileSync(path.join(r.out, 'trace.json'), 'utf8');
  assert.match(trace, /"Client\.query"/);
  assert.match(trace, /ts\/db\.ts/);
  assert.match(readFileSync(path.join(r.out, 'report.html'), 'utf8'), /ts\/db\.ts/);
  assert.match(r.stderr, /^Client\.query \(ts\/db\.ts:9\) +2 /m);
});

test('CommonJS targets only (the CommonJS loader hook alone, on every Node): a minified bundle with an external map', async () => {
  assert.equal(bare(['dist/count.js']), '3\n');
  const r = await probe(['./cjs/count.cjs:count'], ['node', 'dist/count.js'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '3\n');
  assert.deepEqual(table(r.summary), { count: [1, 2, 'cjs/count.cjs'] });
});

test('a bundle built without a map: "never loaded", and how to fix it', async () => {
  const r = await probe(['./ts/db.ts:Client.query'], ['node', 'dist/no-map.js'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  assert.deepEqual(r.summary.functions, []);
  const message = './ts/db.ts was never loaded by the program, so Client.query was not probed; if the program runs a bundle, build it with source maps';
  assert.deepEqual(r.summary.unmatched, [{ target: './ts/db.ts:Client.query', message }]);
  assert.match(r.stderr, /^tanzhen: unmatched \.\/ts\/db\.ts:Client\.query: .* build it with source maps$/m);
});

test('a map that is not JSON: the program runs as it does bare, one warning, the target is unmatched', async () => {
  const bundle = readFileSync(path.join(dir, builds['esbuild']), 'utf8').replace(/sourceMappingURL=esbuild\.js\.map\s*$/, 'sourceMappingURL=broken.js.map\n');
  writeFileSync(path.join(dir, 'dist/broken.js'), bundle);
  writeFileSync(path.join(dir, 'dist/broken.js.map'), '{"version":3,"sources":["../ts/db.ts"],"mappings":');
  const r = await probe(['./ts/db.ts:Client.query'], ['node', 'dist/broken.js'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, OUTPUT);
  assert.deepEqual(r.summary.functions, []);
  assert.match(r.summary.unmatched[0].message, /^\.\/ts\/db\.ts was never loaded/);
  assert.match(r.stderr, /^tanzhen: warning: could not read the source map of .*broken\.js \(.*JSON.*\); its functions are not found by their source names$/m);
});

test('marked, minified with its map beside it: methods by the names its sources give them', async () => {
  const output = bare(['md.mjs']);
  assert.equal(output, '<h1>one</h1>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>plain <em>em</em></p>\n');
  // marked's sources write `class _Lexer` (exported as Lexer): the written name is the one to give.
  const r = await probe(['marked:_Lexer.lex', 'marked:_Parser.parse', 'marked:Lexer.lex'], ['node', 'md.mjs'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, output);
  const rows = Object.fromEntries(r.summary.functions.map((f) => [f.name, [f.calls, path.basename(f.file)]]));
  const want = { '_Lexer.lex': [3, 'Lexer.ts'], '_Lexer.prototype.lex': [3, 'Lexer.ts'], '_Parser.parse': [3, 'Parser.ts'], '_Parser.prototype.parse': [5, 'Parser.ts'] };
  // (A list's items are parsed one by one: 3 documents + 2 items.)
  assert.deepEqual(rows, want, JSON.stringify(tools()));
  // Each at the line where marked's source defines it.
  const map = JSON.parse(readFileSync(path.join(root, 'node_modules/marked/lib/marked.esm.js.map'), 'utf8'));
  for (const f of r.summary.functions) {
    const text = map.sourcesContent[map.sources.findIndex((s) => s.endsWith(path.basename(f.file)))];
    const method = f.name.split('.').at(-1);
    assert.match(text.split('\n')[f.line - 1], new RegExp(`\\b${method}[<(]`), `${f.name} at line ${f.line}`);
  }
  assert.deepEqual(r.summary.unmatched, [{ target: 'marked:Lexer.lex', message: 'no function Lexer.lex in marked; did you mean _Lexer.lex or _Lexer.rules?' }]);
});
