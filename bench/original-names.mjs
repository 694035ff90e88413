#!/usr/bin/env node
// The cost of names from TypeScript sources: instrumenting a large .ts file
// as tsx hands it over (esbuild output with an inline map and no
// sourcesContent, so the original is read from disk and parsed). Prints the
// CPU time of the whole rewrite() and of its original-names step (reading
// and parsing the original, collecting its functions, following each
// compiled function through the map), minimum of N runs each, interleaved.
// (A machine this loaded makes A/B runs of the whole rewrite noisier than
// the step itself: hence the step is timed on its own.)
//
//   node bench/original-names.mjs [--lines 24000] [--runs 7]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { transformSync } from 'esbuild';
import { collectFunctions } from '../dist/agent/instrument/collect.js';
import { withOriginalNames } from '../dist/agent/instrument/original-names.js';
import { rewrite } from '../dist/agent/instrument/rewrite.js';
import { readInlineMap } from '../dist/agent/instrument/source-map.js';
import { parseTarget } from '../dist/common/target.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '24000' }, runs: { type: 'string', default: '7' } } });
const scale = Number(values.lines) / 24000;

/** Decorated classes, namespaces and plain functions: ~24 000 lines at scale 1. */
function typescriptSource() {
  let s = 'function log(t: any, k?: any, d?: PropertyDescriptor) { return d; }\n';
  for (let i = 0; i < 400 * scale; i++) {
    s += `export class C${i} {\n  private n: number = ${i};\n`;
    for (let j = 0; j < 5; j++) s += `  @log\n  m${j}(x: number): number {\n    const y: number = x * ${j} + this.n;\n    return y > 3 ? y - 1 : y + 1;\n  }\n`;
    s += '}\n';
  }
  for (let i = 0; i < 300 * scale; i++) {
    s += `export namespace N${i}.Inner {\n`;
    for (let j = 0; j < 5; j++) s += `  export function f${j}(a: string, b: number): string {\n    return a.repeat(b % 3) + ${j};\n  }\n`;
    s += '}\n';
  }
  for (let i = 0; i < 2000 * scale; i++) {
    s += `export const arrow${i} = (v: number[]): number => v.reduce((a, b) => a + b * ${i}, 0);\n`;
    s += `export function plain${i}<T extends object>(o: T): keyof T | undefined {\n  return Object.keys(o)[0] as keyof T | undefined;\n}\n`;
  }
  return s;
}

const dir = mkdtempSync(join(tmpdir(), 'tz-names-bench-'));
try {
  const file = join(dir, 'big.ts');
  const ts = typescriptSource();
  writeFileSync(file, ts);
  // tsx's esbuild settings: keepNames, whitespace minified, an inline map without sourcesContent.
  const options = { loader: 'ts', format: 'esm', keepNames: true, minifyWhitespace: true, sourcemap: 'inline', sourcesContent: false, tsconfigRaw: { compilerOptions: { experimentalDecorators: true } } };
  const output = transformSync(ts, { ...options, sourcefile: file }).code;
  console.log(`${ts.split('\n').length} lines of TypeScript (${(ts.length / 1024).toFixed(0)} KB), tsx-like output ${(output.length / 1024).toFixed(0)} KB; Node ${process.version}`);

  const cpuMs = (run) => {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
  const oxc = createRequire(import.meta.url)('oxc-parser');
  const found = collectFunctions(oxc.parseSync(file, output, { sourceType: 'module', lang: 'js' }).program);
  const best = { step: Infinity, one: Infinity, all: Infinity };
  const [one, all] = ['./big.ts:C7.m1', './big.ts:*'].map((spec) => [parseTarget(spec, dir)]);
  let renamed = 0;
  for (let i = 0; i < Number(values.runs); i++) {
    // A fresh map object each time: the decoded map is cached per object, and rewrite() decodes it too.
    best.step = Math.min(best.step, cpuMs(() => (renamed = withOriginalNames(found, output, file, readInlineMap(output)).filter((f, j) => f !== found[j]).length)));
    best.one = Math.min(best.one, cpuMs(() => rewrite(output, file, 'module', one)));
    best.all = Math.min(best.all, cpuMs(() => rewrite(output, file, 'module', all)));
  }
  const share = (total) => `${total.toFixed(0)} ms, of which written names ${best.step.toFixed(0)} ms (${((100 * best.step) / total).toFixed(0)}%)`;
  console.log(`${found.length} functions, ${renamed} renamed; written-names step alone ${best.step.toFixed(0)} ms CPU`);
  console.log(`rewrite, one target: ${share(best.one)}`);
  console.log(`rewrite, *:          ${share(best.all)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
