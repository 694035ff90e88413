// Generated inputs, all under bench/.tmp (gitignored): the probed function's
// module, a target file that the trees never load, and trees of N CommonJS
// and N ES modules (module i loads modules 2i+1 and 2i+2, so 1500 modules
// are about 11 levels deep). Each module is ~1 KB of ordinary code: imports,
// a constant table, functions, a class with a getter, an object of methods.
import { mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { TMP } from './lib.mjs';

const FN_SOURCE = `'use strict';
// The function under test: small enough that the probe's own cost dominates.
function work(x) {
  return (x * 31 + 7) | 0;
}
async function awork(x) {
  return (x * 31 + 7) | 0;
}
module.exports = { work, awork };
`;

/** fn.cjs is probed (named in TANZHEN_TRACE); bare.cjs is the same code, never probed. */
export function writeCallFixture() {
  const dir = join(TMP, 'percall');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fn.cjs'), FN_SOURCE);
  writeFileSync(join(dir, 'bare.cjs'), FN_SOURCE);
  return { probed: join(dir, 'fn.cjs'), bare: join(dir, 'bare.cjs') };
}

/** The same, as CommonJS: a run whose targets are all CommonJS registers no module hook. */
export function writeOutsideCjsTarget() {
  const dir = join(TMP, 'target');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fn-cjs.cjs');
  writeFileSync(file, 'function work(x) {\n  return x + 1;\n}\nmodule.exports = { work };\n');
  return file;
}

/** A target file outside the trees: it exists and parses, but no tree loads it. */
export function writeOutsideTarget() {
  const dir = join(TMP, 'target');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fn.js');
  writeFileSync(file, 'export function work(x) {\n  return x + 1;\n}\n');
  return file;
}

function body(i, n, esm) {
  const kids = [2 * i + 1, 2 * i + 2].filter((k) => k < n);
  const imports = kids.map((k, j) => (esm ? `import * as c${j} from './m${k}.js';` : `const c${j} = require('./m${k}.js');`));
  const sum = ['0', ...kids.map((_, j) => `c${j}.sum`)].join(' + ');
  const table = Array.from({ length: 8 }, (_, k) => (i * 7 + k * 13) % 97).join(', ');
  const code = `${esm ? '' : "'use strict';\n"}${imports.join('\n')}
const TABLE = [${table}];
const LABEL = 'module-${i}';

function helper${i}(a, b) {
  let acc = 0;
  for (let k = 0; k < TABLE.length; k++) acc += (TABLE[k] * a + b) % 13;
  return acc;
}

const clamp = (v, lo = 0, hi = 100) => Math.min(hi, Math.max(lo, v));

class Thing${i} {
  constructor(x) {
    this.x = x;
  }
  get value() {
    return clamp(this.x + TABLE[0]);
  }
  scale(k) {
    return new Thing${i}(this.x * k);
  }
  static of(x) {
    return new Thing${i}(x);
  }
}

const api = {
  list(xs) {
    return xs.map((x) => helper${i}(x, 2));
  },
  async fetch(id) {
    return { id, label: LABEL, n: TABLE.length };
  },
  describe() {
    return \`\${LABEL}: \${TABLE.join(',')}\`;
  },
};

const sum = ${sum} + 1;
`;
  return esm
    ? `${code}export { helper${i}, clamp, Thing${i}, api, sum, LABEL };\n`
    : `${code}module.exports = { helper${i}, clamp, Thing${i}, api, sum, LABEL };\n`;
}

const CJS_MAIN = `'use strict';
const c0 = process.cpuUsage();
const t0 = performance.now();
const root = require('./m0.js');
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, cpuMs: (c1.user + c1.system) / 1000, sinceStartMs: t1, sum: root.sum }) + '\\n');
`;

const ESM_MAIN = `const c0 = process.cpuUsage();
const t0 = performance.now();
const root = await import('./m0.js');
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, cpuMs: (c1.user + c1.system) / 1000, sinceStartMs: t1, sum: root.sum }) + '\\n');
`;

/** Writes (or reuses) a tree; returns its entry file. */
export function writeTree(kind, n) {
  const esm = kind === 'esm';
  const dir = join(TMP, `tree-${kind}-${n}`);
  const entry = join(dir, esm ? 'main.mjs' : 'main.cjs');
  const stamp = join(dir, '.complete');
  const version = `v3 ${n}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return { dir, entry, modules: n };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: esm ? 'module' : 'commonjs' }) + '\n');
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `m${i}.js`), body(i, n, esm));
  writeFileSync(entry, esm ? ESM_MAIN : CJS_MAIN);
  writeFileSync(stamp, version);
  return { dir, entry, modules: n };
}

/**
 * The same tree as TypeScript sources (src/m<i>.ts) compiled once by
 * TypeScript's compiler with source maps, as tsc's outDir would hold them
 * (dist/m<i>.js ending with `//# sourceMappingURL=m<i>.js.map`, the map
 * beside it naming ../src/m<i>.ts): the row of the maps that name no target.
 */
export function writeMappedTree(kind, n) {
  const esm = kind === 'esm';
  const dir = join(TMP, `tree-${kind}-${n}-maps`);
  const dist = join(dir, 'dist');
  const entry = join(dist, esm ? 'main.mjs' : 'main.cjs');
  const stamp = join(dir, '.complete');
  const version = `v1 ${n}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return { dir, entry, modules: n };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(dist, { recursive: true });
  const ts = createRequire(import.meta.url)('typescript');
  const compilerOptions = { sourceMap: true, target: ts.ScriptTarget.ES2022, module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: esm ? 'module' : 'commonjs' }) + '\n');
  for (let i = 0; i < n; i++) {
    const source = body(i, n, esm);
    writeFileSync(join(dir, 'src', `m${i}.ts`), source);
    const out = ts.transpileModule(source, { compilerOptions, fileName: `m${i}.ts` });
    const map = JSON.parse(out.sourceMapText);
    map.sources = [`../src/m${i}.ts`];
    writeFileSync(join(dist, `m${i}.js`), out.outputText);
    writeFileSync(join(dist, `m${i}.js.map`), JSON.stringify(map));
  }
  writeFileSync(entry, esm ? ESM_MAIN : CJS_MAIN);
  writeFileSync(stamp, version);
  return { dir, entry, modules: n };
}
