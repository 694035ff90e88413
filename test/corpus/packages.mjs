// The corpus: other people's packages and their own test suites, chosen for
// the styles of JavaScript they bring. Each entry says where the code comes
// from (a snapshot in ../shared/corpus or an npm tarball), what its tests need
// from the registry, how it is built, which of its files are probed (`*` on
// each), and how its test runner is started — the same way bare and probed.
// Compiled variants (Babel, esbuild, minified) run a package's own tests
// against its own source put through that compiler.
import { readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { binOf, sh } from './install.mjs';

const node = process.execPath;
const files = (dir, sub, re) => readdirSync(path.join(dir, sub)).filter((f) => re.test(f)).sort().map((f) => `${sub}/${f}`);
const walk = (dir, sub, re) =>
  readdirSync(path.join(dir, sub), { recursive: true })
    .filter((f) => re.test(f))
    .sort()
    .map((f) => `${sub}/${f}`);

const tape = (dir, tests) => [binOf(dir, 'tape'), ...tests];
// A 30 s default timeout: mocha's 2 s fails tests on a loaded machine, bare or probed.
const mocha = (dir, tests, ...options) => [binOf(dir, 'mocha', '_mocha'), '--reporter', 'tap', '--timeout', '30000', ...options, ...tests];
// yargs-parser's four "with reasonable performance" tests give themselves 500 ms: a timing assertion, left out.
const yargsMocha = (dir) => mocha(dir, files(dir, 'test', /\.mjs$/), '--grep', 'with reasonable performance', '--invert');

/** The packages a test folder requires, at their devDependencies' major (a tarball says no more). */
function requiredBy(manifest, dir, sub) {
  const needed = new Set();
  for (const file of files(dir, sub, /\.js$/)) {
    for (const [, name] of readFileSync(path.join(dir, file), 'utf8').matchAll(/require\('([^'.][^']*)'\)/g)) {
      const top = name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');
      if (!isBuiltin(top)) needed.add(top);
    }
  }
  return [...needed].map((name) => {
    const m = /(\d+)\.(\d+)/.exec(manifest.devDependencies?.[name] ?? '');
    return m ? `${name}@${m[1] === '0' ? `0.${m[2]}` : m[1]}` : name;
  });
}

/** A build step: an ES module script run in the package copy, so it imports from its node_modules. */
function compileWith(script) {
  return (dir) => sh(node, ['--input-type=module', '-e', script], dir);
}

const babelIE11 = `
import { transformFileSync } from '@babel/core';
import { writeFileSync } from 'node:fs';
const out = transformFileSync('index.js', { babelrc: false, configFile: false, compact: false,
  presets: [['@babel/preset-env', { targets: { ie: '11' }, modules: false }]] });
writeFileSync('index.js', out.code);`;

const esbuildTs = `
import { buildSync } from 'esbuild';
import { readdirSync } from 'node:fs';
buildSync({ entryPoints: readdirSync('lib').filter((f) => f.endsWith('.ts')).map((f) => 'lib/' + f),
  outdir: 'build/lib', format: 'esm', target: 'es2022', platform: 'node' });`;

const minify = (entry, format) => `
import { buildSync } from 'esbuild';
import { renameSync } from 'node:fs';
renameSync('${entry}', 'original-${entry}');
buildSync({ entryPoints: ['original-${entry}'], outfile: '${entry}', bundle: true, minify: true, format: '${format}', platform: 'node' });`;

const yargsTsc = (dir) =>
  sh(node, [binOf(dir, 'typescript', 'tsc'), '--outDir', 'build', '--rootDir', '.', '--target', 'es2019', '--module', 'es2022',
    '--moduleResolution', 'node', '--strict', '--skipLibCheck', '--types', 'node', ...files(dir, 'lib', /\.ts$/)], dir);

/** acorn's build, then its workspaces linked as npm would (the build's own tools brought an older acorn). */
function acornBuild(dir) {
  for (const c of ['acorn', 'acorn-loose']) sh(node, [binOf(dir, 'rollup'), '-c', `${c}/rollup.config.mjs`], dir);
  for (const name of ['acorn', 'acorn-loose', 'acorn-walk']) {
    rmSync(path.join(dir, 'node_modules', name), { recursive: true, force: true });
    symlinkSync(path.join('..', name), path.join(dir, 'node_modules', name));
  }
}

const pMapTests = ['ava@5', 'chalk@5', 'delay@6', 'in-range@3', 'random-int@3', 'time-span@5'];
// Tests one at a time (--serial); the six that assert wall-clock ranges
// (300 ms ± 60) fail bare as often as probed on a shared 2-core machine, so
// their outcomes are left out of the comparison (`ignore`). (ava's own
// `--match '!title'` with --tap sometimes selects no test at all, bare too.)
const TIMED = ['main', 'concurrency: 1', 'asyncIterator - main', 'asyncIterator - concurrency: 1', 'pMapIterable - concurrency: 1', 'pMapIterable - concurrency: 2'];
const ava = (dir) => [binOf(dir, 'ava', 'ava'), '--tap', '--no-worker-threads', '--serial', 'test.js'];
const coMocha = (dir) => mocha(dir, files(dir, 'test', /\.js$/));

export const packages = [
  {
    name: 'qs', version: '6.17.1', style: 'npm tarball with its tests; plain CommonJS, many small functions',
    install: (manifest, dir) => requiredBy(manifest, dir, 'test'),
    sources: 'lib/*.js', format: 'tap',
    command: (dir) => tape(dir, files(dir, 'test', /\.js$/)),
  },
  {
    name: 'run-parallel', version: '1.2.0', snapshot: 'run-parallel', style: 'standard style (no semicolons), callbacks',
    install: ['tape@5'], sources: 'index.js', format: 'tap',
    command: (dir) => tape(dir, files(dir, 'test', /\.js$/)),
  },
  {
    name: 'end-of-stream', version: '1.4.5', snapshot: 'end-of-stream', style: 'no semicolons, streams and events',
    install: ['tape@4'], sources: 'index.js', format: 'tap', command: () => ['test.js'],
  },
  {
    name: 'reusify', version: '1.1.0', snapshot: 'reusify', style: "neostandard ('use strict' without a semicolon), object pooling",
    install: ['tape@5'], sources: 'reusify.js', format: 'tap', command: (dir) => tape(dir, ['test.js']),
  },
  {
    name: 'acorn', version: '8.16.0', snapshot: 'acorn', style: 'parser bundled by rollup + buble into one 6 000-line UMD file',
    install: ['rollup@4', '@rollup/plugin-buble@1'],
    build: [acornBuild],
    sources: '{acorn,acorn-loose}/dist/*.{js,mjs}', format: 'acorn', command: () => ['test/run.js'],
  },
  {
    name: 'yargs-parser', version: '22.0.0', snapshot: 'yargs-parser', style: 'TypeScript compiled by tsc (ES modules)',
    install: ['mocha@11', 'chai@5', 'typescript@5.9', '@types/node@22'], build: [yargsTsc],
    sources: 'build/lib/*.js', format: 'tap', command: yargsMocha,
  },
  {
    name: 'yargs-parser-esbuild', version: '22.0.0', snapshot: 'yargs-parser', style: 'the same TypeScript compiled by esbuild',
    install: ['mocha@11', 'chai@5', 'esbuild@0.28'], build: [compileWith(esbuildTs)],
    sources: 'build/lib/*.js', format: 'tap', command: yargsMocha,
  },
  {
    name: 'p-map', version: '7.0.6', snapshot: 'p-map', style: 'ES module, heavy promise/async concurrency',
    install: pMapTests, sources: 'index.js', format: 'tap', command: ava, ignore: TIMED,
  },
  {
    name: 'p-map-babel', version: '7.0.6', snapshot: 'p-map', style: 'p-map through Babel preset-env for IE 11 (regenerator, async-to-generator)',
    install: [...pMapTests, '@babel/core@7', '@babel/preset-env@7'], build: [compileWith(babelIE11)],
    sources: 'index.js', format: 'tap', command: ava, ignore: TIMED,
  },
  {
    name: 'p-map-minified', version: '7.0.6', snapshot: 'p-map', style: 'p-map bundled and minified by esbuild',
    install: [...pMapTests, 'esbuild@0.28'], build: [compileWith(minify('index.js', 'esm'))],
    sources: 'index.js', format: 'tap', command: ava, ignore: TIMED,
  },
  {
    name: 'co', version: '4.6.0', snapshot: 'co', style: 'generators driven as coroutines, thunks',
    install: ['mocha@2', 'mz@1'], sources: 'index.js', format: 'tap', command: coMocha,
  },
  {
    name: 'eventemitter3', version: '5.0.4', snapshot: 'eventemitter3', style: 'prototype-based classes, hot small functions',
    install: ['mocha@11', 'assume@2'], sources: 'index.{js,mjs}', format: 'tap', command: (dir) => mocha(dir, ['test/test.js', 'test/test.mjs']),
  },
  {
    name: 'eventemitter3-minified', version: '5.0.4', snapshot: 'eventemitter3', style: 'eventemitter3 minified by esbuild',
    install: ['mocha@11', 'assume@2', 'esbuild@0.28'], build: [compileWith(minify('index.js', 'cjs'))],
    sources: 'index.js', format: 'tap', command: (dir) => mocha(dir, ['test/test.js']),
  },
  {
    name: 'semver', version: '7.8.5', snapshot: 'node-semver', style: 'classes (SemVer, Range, Comparator), many small modules',
    install: ['tap@16'], sources: '{index.js,classes/**/*.js,functions/**/*.js,internal/**/*.js,ranges/**/*.js}', format: 'tap',
    command: (dir) => [binOf(dir, 'tap', 'tap'), '--no-coverage', '-R', 'tap', '-j', '2', '-t', '300', ...walk(dir, 'test', /\.js$/).filter((f) => !f.includes('fixtures'))],
  },
  {
    name: 'more-itertools', version: '11.1.0', snapshot: 'py-more-itertools', style: 'Python: pure-Python generators and iterator tools',
    // Opt-in (TANZHEN_CORPUS_ONLY=more-itertools): ~3 min bare, over 10 probed on the shared 2-core machine.
    optional: true, runner: 'python3', format: 'unittest', targets: ['more_itertools.more:*', 'more_itertools.recipes:*'],
    command: () => ['-m', 'unittest', 'discover', '-v', '-s', 'tests', '-t', '.'],
  },
];

/** The targets that probe every function of the package's own source files (a glob for JavaScript). */
export function targetsOf(pkg, dir) {
  return pkg.targets ?? [`${dir}/${pkg.sources}:*`];
}

