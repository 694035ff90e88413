// Not a test: triage for the statement-level fuzzing. Prints what differs
// between the bare and the probed run, grouped, with the shortest example.
//   node test/fuzz-statements/explore.mjs pieces [family] [eol]   every hand-written piece alone
//   node test/fuzz-statements/explore.mjs control [n] [seed] [skip-regex]   n generated control-flow programs
//   node test/fuzz-statements/explore.mjs ts      every TypeScript piece, compiler, decorator mode and target
//   node test/fuzz-statements/explore.mjs file <path> [commonjs|module]   one program (also prints the rewrite)
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { controlProgram, FAMILIES, lines } from './programs.mjs';
import { MODULE_DIRECTIVES } from './snippets.mjs';
import { compileTs, PIECE_COUNT } from './typescript.mjs';
import { runBoth } from './run.mjs';

const [mode = 'pieces', ...args] = process.argv.slice(2);
const groups = new Map();

/** Runs one program and files it under its first difference. */
async function check(program, title) {
  const { bare, probed, code, netError } = await runBoth(program);
  if (netError) probed.unshift(['REWRITE: ' + netError]);
  if (isDeepStrictEqual(bare, probed)) return;
  let i = 0;
  while (i < bare.length && isDeepStrictEqual(bare[i], probed[i])) i++;
  // Filed by what the probed run did: that is the bug's signature.
  const key = JSON.stringify(probed[i] ?? '(no more events)').replace(/\b(f|_)\d+\b/g, '$1').replace(/"f(\(\w+\))? ?\w*"/, '"f…"');
  const list = groups.get(key) ?? [];
  list.push({ title, program, code, bare: bare[i], probed: probed[i] });
  groups.set(key, list);
}

function report() {
  for (const [key, list] of groups) {
    list.sort((a, b) => a.program.source.length - b.program.source.length);
    const { title, program, bare } = list[0];
    console.log(`=== ${list.length}x ${key.slice(0, 300)}\n--- shortest (${title ?? program.format}; bare: ${JSON.stringify(bare)}):\n${program.ts ?? program.source}\n`);
  }
  console.log(`${groups.size} kinds of difference`);
}

const step = (call) => `__fz.q(${JSON.stringify(call)}, () => ${call})`;

if (mode === 'pieces') {
  const [only, eolArg] = args;
  const eol = eolArg ? JSON.parse(`"${eolArg}"`) : '\n';
  for (const [family, pieces] of Object.entries(FAMILIES)) {
    if (only && family !== only) continue;
    for (const piece of pieces) {
      for (const format of ['commonjs', 'module']) {
        if ((piece.sloppy || family === 'withs') && format === 'module') continue;
        if (piece.esm && format !== 'module') continue;
        const rename = (s) => s.replaceAll('$', '_0');
        const source = lines(`${rename(piece.code)}\n${piece.calls.map((c) => step(rename(c))).join('\n')}\n`, eol);
        await check({ format, source }, `${family}, ${format}`);
      }
    }
  }
  if (!only || only === 'directives') {
    for (const d of MODULE_DIRECTIVES) await check({ format: 'commonjs', source: lines(`${d}function f() { return typeof this }\n${step('f()')}\n`, eol) }, 'module directive');
  }
} else if (mode === 'control') {
  const [n = '300', seed = '1', skip] = args;
  const skipping = skip ? new RegExp(skip) : undefined;
  for (const program of fc.sample(controlProgram(), { numRuns: Number(n), seed: Number(seed) })) {
    if (!skipping?.test(program.source)) await check(program);
  }
} else if (mode === 'ts') {
  for (const compiler of ['tsc', 'esbuild'])
    for (const decorators of ['legacy', 'standard'])
      for (const target of ['ES2022', 'ES2017', 'ES2015'])
        for (const format of ['commonjs', 'module'])
          for (let piece = 0; piece < PIECE_COUNT; piece++) {
            const program = compileTs({ compiler, decorators, target, format, pieces: [piece] });
            if (program) await check(program, `${compiler} ${decorators} ${target} ${format} piece ${piece}`);
          }
} else if (mode === 'file') {
  const [file, format = 'commonjs'] = args;
  const { bare, probed, code, netError } = await runBoth({ format, source: readFileSync(file, 'utf8') });
  console.log(`bare   ${JSON.stringify(bare)}\nprobed ${JSON.stringify(probed)}\n${netError ? `REWRITE: ${netError}` : `--- rewritten:\n${code}`}`);
  process.exit(0);
}
report();
