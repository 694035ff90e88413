// TypeScript programs — decorated classes (legacy experimentalDecorators and
// standard decorators), parameter properties, enums, namespaces, abstract
// classes, private fields — compiled first by the repository's typescript or
// esbuild, to a range of targets (ES2015 turns async functions into
// generators driven by __awaiter), the way a TS loader hands them to us.
import { createRequire } from 'node:module';
import fc from 'fast-check';

const require = createRequire(import.meta.url);
let ts;
let esbuild;

const DECORATORS = {
  legacy: `function tag$(...args: any[]): any { __fz.log('decorate', args.length, typeof args[1] === 'string' ? args[1] : null) }
function wrap$(t: any, k: string, d: PropertyDescriptor): any { const o = d.value; d.value = function (this: any, ...a: any[]) { __fz.log('wrapped', k); return o.apply(this, a) } }`,
  standard: `function tag$(...args: any[]): any { __fz.log('decorate', args.length, args[1]?.kind ?? null, String(args[1]?.name ?? '')) }
function wrap$(v: any, c: any): any { return function (this: any, ...a: any[]) { __fz.log('wrapped', String(c.name)); return v.apply(this, a) } }`,
};

const PIECES = [
  {
    code: `@tag$
class Svc$ {
  constructor(private readonly who: string, public n = 1) {}
  @wrap$ greet(other: string): string { return \`hi \${other} from \${this.who}\` }
  @tag$ async later(x: number): Promise<number> { await null; return x * this.n }
  static create(): Svc$ { return new Svc$('made') }
  @tag$ get label(): string { return this.who }
}`,
    calls: [`new Svc$('a').greet('b')`, `Svc$.create().label`, `new Svc$('x', 3).later(2)`, `Svc$.name`],
  },
  {
    code: `enum Color$ { Red, Green = 'g', Blue = 4 }
namespace NS$ { export function inner(x: number): number { return x + 1 } export const k = inner(1) }`,
    calls: [`[Color$.Red, Color$.Green, Color$[4]]`, `NS$.inner(1)`, `NS$.k`],
  },
  {
    code: `abstract class Base$ { abstract m(): number; twice(): number { return this.m() * 2 } }
class Impl$ extends Base$ { m(): number { return 21 } }`,
    calls: [`new Impl$().twice()`],
  },
  {
    code: `async function chain$(o?: { a?: { b?: number } }): Promise<number> {
  const v = o?.a?.b ?? (await Promise.resolve(-1))
  for await (const x of [Promise.resolve(1), 2]) __fz.log('x', x)
  try { return await Promise.reject(new Error('no')) } catch { return v } finally { __fz.log('finally') }
}`,
    calls: [`chain$({ a: { b: 2 } })`, `chain$()`],
  },
  {
    code: `function* range$(n: number): Generator<number, string, unknown> { for (let i = 0; i < n; i++) yield i; return 'end' }
async function* agen$(): AsyncGenerator<number> { yield* range$(2); yield await Promise.resolve(9) }`,
    calls: [`[...range$(3)]`, `(async () => { const o: number[] = []; for await (const x of agen$()) { o.push(x); if (o.length === 2) break } return o })()`],
  },
  {
    code: `function named$(label: string): any { __fz.log('factory', label); return tag$ }
class Acc$ {
  @named$('field') count: number = 1
  accessor total = 2
  @named$('static') static make(): Acc$ { return new Acc$() }
  @tag$ bump(by = 1): number { this.total += by; return this.total }
}`,
    calls: [`(() => { const a = Acc$.make(); return [a.count, a.bump(), a.bump(3), a.total] })()`],
  },
  {
    code: `class Priv$ { #x = 1; static #n = 0; arrow = (): number => this.#x; inc(): number { Priv$.#n++; return ++this.#x } static get n(): number { return Priv$.#n } }`,
    calls: [`(() => { const p = new Priv$(); p.inc(); return [p.arrow(), Priv$.n] })()`],
  },
];

export const PIECE_COUNT = PIECES.length;

export const tsProgram = fc.record({
  compiler: fc.constantFrom('tsc', 'esbuild'),
  decorators: fc.constantFrom('legacy', 'standard'),
  target: fc.constantFrom('ES2022', 'ES2017', 'ES2015'),
  format: fc.constantFrom('commonjs', 'module'),
  pieces: fc.subarray(PIECES.map((_, i) => i), { minLength: 1 }),
});

/** The compiled program, or undefined when the compiler cannot produce it (a combination it does not support). */
export function compileTs(spec) {
  const chosen = spec.pieces.map((i) => PIECES[i]);
  const rename = (s) => s.replaceAll('$', '_');
  const calls = chosen.flatMap((p) => p.calls).map((c) => `__fz.q(${JSON.stringify(rename(c))}, () => ${rename(c)})`);
  const source = rename(['declare const __fz: any', DECORATORS[spec.decorators], ...chosen.map((p) => p.code), ...calls].join('\n')) + '\nexport {}\n';
  const esm = spec.format === 'module';
  try {
    if (spec.compiler === 'tsc') {
      ts ??= require('typescript');
      const out = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget[spec.target], module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, experimentalDecorators: spec.decorators === 'legacy' },
        reportDiagnostics: false,
      });
      return { source: out.outputText, format: spec.format, ts: source };
    }
    esbuild ??= require('esbuild');
    const out = esbuild.transformSync(source, {
      loader: 'ts',
      format: esm ? 'esm' : 'cjs',
      target: spec.target.toLowerCase(),
      tsconfigRaw: { compilerOptions: { experimentalDecorators: spec.decorators === 'legacy' } },
    });
    return { source: out.code, format: spec.format, ts: source };
  } catch {
    return undefined;
  }
}
