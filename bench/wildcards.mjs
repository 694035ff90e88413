// e. `*` over big real packages, as a user runs it: `tanzhen run -q -t 'typescript:*' -- tsc`
// checking a small project, and `-t 'prettier:*'` formatting a 64 KB file
// (magic-string's own bundle), each against the same command bare, as whole
// processes (launcher included). "cold" starts with an empty rewrite cache
// (the first run after installing or upgrading), "warm" with the cache the
// earlier runs filled (every later run).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TMP, cleanEnv, median, runProcess } from './lib.mjs';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const FORMATTED = join(ROOT, 'node_modules', 'magic-string', 'dist', 'index.mjs');

/** A small strict TypeScript project: a few modules with classes, generics and unions, no @types needed. */
function writeProject() {
  const dir = join(TMP, 'tsc-project');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', noEmit: true, types: [] }, include: ['src'] }));
  for (let i = 0; i < 12; i++) {
    writeFileSync(
      join(dir, 'src', `m${i}.ts`),
      `export interface Row${i}<T> { id: number; value: T; tags: readonly string[] }
export type Shape${i} = { kind: 'circle'; r: number } | { kind: 'rect'; w: number; h: number };
export function area${i}(s: Shape${i}): number { return s.kind === 'circle' ? Math.PI * s.r ** 2 : s.w * s.h; }
export class Store${i}<T extends { id: number }> {
  private readonly rows = new Map<number, T>();
  put(row: T): this { this.rows.set(row.id, row); return this; }
  find(pred: (row: T) => boolean): T | undefined { for (const r of this.rows.values()) if (pred(r)) return r; return undefined; }
  map<U>(f: (row: T) => U): U[] { return [...this.rows.values()].map(f); }
}
${i > 0 ? `import { Store${i - 1}, type Row${i - 1} } from './m${i - 1}.js';
export const chained${i} = new Store${i - 1}<Row${i - 1}<string>>().put({ id: 1, value: 'a', tags: [] }).map((r) => r.value.length);` : ''}
`,
    );
  }
  return dir;
}

function writeFormatter() {
  const file = join(TMP, 'format.mjs');
  writeFileSync(file, `import { format } from 'prettier';\nimport { readFileSync } from 'node:fs';\nconst text = readFileSync(process.argv[2], 'utf8');\nconst out = await format(text, { filepath: process.argv[2] });\nconsole.log(JSON.stringify({ in: text.length, out: out.length }));\n`);
  return file;
}

export function wildcards(node, runs, log) {
  const project = writeProject();
  const formatter = writeFormatter();
  const cases = [
    { name: 'typescript:* — tsc --noEmit, 12-module project', target: 'typescript:*', command: [node.bin, TSC, '-p', project], cwd: project },
    { name: 'prettier:* — format a 64 KB file', target: 'prettier:*', command: [node.bin, formatter, FORMATTED], cwd: ROOT },
  ];
  const out = {};
  for (const c of cases) {
    log(`e. ${c.name} on ${node.version}`);
    const warmCache = mkdtempSync(join(TMP, 'cache-'));
    const variants = {
      bare: () => runProcess(c.command[0], c.command.slice(1), { env: cleanEnv(), cwd: c.cwd, timeout: 300_000 }),
      cold: () => {
        const cache = mkdtempSync(join(TMP, 'cache-'));
        try {
          return probed(node, c, cache);
        } finally {
          rmSync(cache, { recursive: true, force: true });
        }
      },
      warm: () => probed(node, c, warmCache),
    };
    const samples = { bare: [], cold: [], warm: [] };
    variants.warm(); // fill the warm cache, and the file cache for all
    const names = Object.keys(variants);
    for (let round = 0; round < runs; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length];
        samples[name].push(variants[name]().wallMs);
      }
    }
    rmSync(warmCache, { recursive: true, force: true });
    out[c.name] = {
      runs,
      bareMs: median(samples.bare),
      coldMs: median(samples.cold),
      warmMs: median(samples.warm),
      coldRatio: median(samples.cold.map((ms, i) => ms / samples.bare[i])),
      warmRatio: median(samples.warm.map((ms, i) => ms / samples.bare[i])),
      samplesMs: Object.fromEntries(names.map((n) => [n, samples[n].map((x) => Math.round(x))])),
    };
  }
  return out;
}

function probed(node, c, cacheDir) {
  const args = [join(ROOT, 'bin', 'tanzhen.js'), 'run', '-q', '-t', c.target, '--', ...c.command];
  return runProcess(node.bin, args, { env: cleanEnv({ TANZHEN_CACHE_DIR: cacheDir }), cwd: c.cwd, timeout: 300_000 });
}
