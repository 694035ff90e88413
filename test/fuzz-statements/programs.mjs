// Whole programs: a module prologue, then generated functions or chosen
// pieces, then the steps that exercise them. Optionally passed through
// esbuild's minifier for the shapes minified packages ship.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { functionSpec, renderFunction, STYLES } from './grammar.mjs';
import { AWAITS, CLASSES, DIRECTIVES, MISC, MODULE_DIRECTIVES, PROMISES, SUPPORTED, WITHS } from './snippets.mjs';

const require = createRequire(import.meta.url);
let esbuild;

const isStrictPrologue = (d) => /(^|[\n;])\s*["']use strict["']/.test(d);
const step = (label, call) => `__fz.q(${JSON.stringify(label)}, () => ${call})`;

/** Programs of generated control flow: nested try/catch/finally, jumps, labels, await/yield. */
export const controlProgram = ({ text = false } = {}) =>
  fc.record({
    format: fc.constantFrom('commonjs', 'module'),
    style: fc.constantFrom(...STYLES),
    directive: fc.nat(MODULE_DIRECTIVES.length - 1),
    functions: fc.array(functionSpec, { minLength: 1, maxLength: 3 }),
    eol: EOL,
    minify: fc.constantFrom('none', 'none', 'none', 'all'),
  }).map((spec) => {
    const parts = [];
    const steps = [];
    spec.functions.forEach((f, i) => {
      const { source, calls } = renderFunction(`f${i}`, f, spec.style);
      parts.push(source);
      if (text) steps.push(step(`text f${i}`, `[String(f${i}), __fz.textOf(f${i})]`));
      else steps.push(...calls);
    });
    const join = spec.style === 'min' ? '' : '\n';
    const directive = spec.style === 'min' ? MODULE_DIRECTIVES[spec.directive].replace(/\s*\/\/.*|\s*\/\*.*\*\//g, '').trim() : MODULE_DIRECTIVES[spec.directive];
    const head = directive && spec.style === 'min' && !/[;\n]$/.test(directive) ? directive + ';' : directive;
    const source = minify(`${head}${parts.join(join)}${join || ';'}${steps.join('\n')}\n`, spec.minify, spec.format);
    return { format: spec.format, source: lines(source, spec.eol), spec };
  });

const withDocumented = process.env.TZ_FUZZ_DOCUMENTED === '1';
const usable = (pieces) => pieces.filter((p) => (!p.needs || SUPPORTED[p.needs]) && (!p.documented || withDocumented));
export const FAMILIES = Object.fromEntries(Object.entries({ directives: DIRECTIVES, awaits: AWAITS, withs: WITHS, promises: PROMISES, classes: CLASSES, misc: MISC }).map(([k, v]) => [k, usable(v)]));

/** Programs made of pieces from one family (or all), optionally minified. */
export const pieceProgram = (families, { text = false, sloppy = false } = {}) => {
  const pool = families.flatMap((f) => FAMILIES[f]);
  // sloppy: only sloppy CommonJS files, for pieces that need one (`with`).
  const directives = MODULE_DIRECTIVES.filter((d) => !sloppy || !isStrictPrologue(d));
  return fc
    .record({
      format: sloppy ? fc.constant('commonjs') : fc.constantFrom('commonjs', 'module'),
      directive: fc.constantFrom(...directives.map((d) => MODULE_DIRECTIVES.indexOf(d))),
      pieces: fc.subarray(pool.map((_, i) => i), { minLength: 1, maxLength: 6 }),
      minify: fc.constantFrom('none', 'none', 'whitespace', 'all'),
      eol: EOL,
    })
    .map((spec) => {
      const directive = MODULE_DIRECTIVES[spec.directive];
      const strict = spec.format === 'module' || isStrictPrologue(directive);
      const chosen = spec.pieces.map((i) => [i, pool[i]]).filter(([, p]) => !(p.sloppy && strict) && !(p.esm && spec.format !== 'module'));
      const parts = [];
      const steps = [];
      for (const [i, p] of chosen) {
        const rename = (s) => s.replaceAll('$', `_${i}`);
        parts.push(rename(p.code));
        if (text) {
          const name = /(?:function\*?\s*|class |const )(\w+\$)/.exec(p.code)?.[1];
          if (name) steps.push(step(`text ${rename(name)}`, `[String(${rename(name)}), __fz.textOf(${rename(name)})]`));
        } else for (const c of p.calls) steps.push(step(rename(c), rename(c)));
      }
      const source = `${directive}${parts.join('\n')}\n${steps.join('\n')}\n`;
      const how = chosen.some(([, p]) => p.keepBraces) ? 'none' : spec.minify;
      return { format: spec.format, source: lines(minify(source, how, spec.format), spec.eol), spec };
    });
};

/** Line ends: Unix, Windows, old Mac (a lone CR is a line terminator too) and U+2028. */
const EOL = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r', '\u2028');
export const lines = (source, eol) => (eol === '\n' ? source : source.replaceAll('\n', eol));

/** esbuild's minifier over the program; unchanged when it will not (a `with` in a module, say). */
function minify(source, how, format) {
  if (how === 'none') return source;
  esbuild ??= require('esbuild');
  try {
    const { code } = esbuild.transformSync(source, {
      minifyWhitespace: true,
      minifySyntax: how === 'all',
      format: format === 'module' ? 'esm' : undefined,
      target: 'es2022',
      supported: { 'top-level-await': true },
    });
    // esbuild writes `yield\n(x)` as `(yield)(x)`, a call of the yielded value: not the program we meant.
    return code.includes('(yield)(') ? source : code;
  } catch {
    return source;
  }
}
