// Instruments a target module at the definition site: each matched
// function's own body is wrapped in a timing try/catch/finally, so the
// function object, its name, length, prototype, `this`, `new.target`,
// `arguments` and `super` are the program's own. Nothing is inserted as a new
// line, so every line number stays where the user wrote it; the few shifted
// columns are covered by a source map.
import { createRequire } from 'node:module';
import type MagicStringClass from 'magic-string';
import type { Target } from '../../common/types.js';
import { originalLineFinder, readInlineMap, withSourceMap } from './source-map.js';
import * as T from './templates.js';

export { MARKER } from './templates.js';

// The parser (a native addon) and magic-string load on the first target file,
// not at start-up: a program whose targets never load never pays for them.
const require = createRequire(import.meta.url);
let oxc: typeof import('oxc-parser') | undefined;
let MagicString: typeof MagicStringClass | undefined;

function parseSync(filename: string, source: string, options: object) {
  oxc ??= require('oxc-parser') as typeof import('oxc-parser');
  return oxc.parseSync(filename, source, options as any);
}

function newMagicString(source: string): MagicStringClass {
  if (!MagicString) {
    const loaded = require('magic-string');
    MagicString = (loaded.default ?? loaded) as typeof MagicStringClass;
  }
  return new MagicString(source);
}
import { collectFunctions, walk, type FoundFunction, type Node } from './collect.js';
import { nameMatches, qualifiedName } from './names.js';
import { withOriginalNames } from './original-names.js';

export interface RewriteResult {
  code: string;
  /** Specs that matched at least one function here. */
  matched: string[];
  /** For specs that matched nothing here: the names this module does define. */
  candidates: Record<string, string[]>;
}


/** 'unknown': decide from the syntax (import/export make it a module). */
export type ModuleFormat = 'module' | 'commonjs' | 'unknown';

export function rewrite(source: string, filename: string, format: ModuleFormat, targets: Target[]): RewriteResult | undefined {
  if (source.includes(T.MARKER)) return undefined;
  const program = parse(source, filename, format);
  if (!program) return undefined;

  const inputMap = readInlineMap(source);
  const all = withOriginalNames(collectFunctions(program), source, filename, inputMap);
  const chosen: Array<{ fn: FoundFunction; target: Target }> = [];
  const matched = new Set<string>();
  for (const fn of all) {
    const target = targets.find((t) => nameMatches(t.name, fn));
    if (!target) continue;
    chosen.push({ fn, target });
    for (const t of targets) if (nameMatches(t.name, fn)) matched.add(t.spec);
  }
  const candidates: Record<string, string[]> = {};
  for (const t of targets) if (!matched.has(t.spec)) candidates[t.spec] = [...new Set(all.map(qualifiedName))];
  if (chosen.length === 0) {
    // Nothing to time here, but the launcher's "did you mean" wants this module's names.
    const notice = `globalThis[Symbol.for("tanzhen.probe")]?.f(${JSON.stringify(filename)},[],[],[],[],${JSON.stringify(candidates)});`;
    return { code: `${source}${source.endsWith('\n') ? '' : '\n'}${notice}\n`, matched: [], candidates };
  }

  // One id per reported name: a name defined twice (overloads, re-assignments) is one row.
  const names: string[] = [];
  const specs: string[] = [];
  const lines: number[] = [];
  const idOf = new Map<string, number>();
  const display = displayNames(chosen.map((c) => c.fn));
  const lineOf = inputMap ? originalLineFinder(source, inputMap) : lineFinder(source);
  const s = newMagicString(source);
  const edits: Edit[] = [];

  chosen.forEach(({ fn, target }, i) => {
    const name = display[i];
    let id = idOf.get(name);
    if (id === undefined) {
      id = names.length;
      idOf.set(name, id);
      names.push(name);
      specs.push(target.spec);
      lines.push(fn.line ?? lineOf(fn.node.start));
    }
    instrumentFunction(fn.node, `__tz$b+${id}`, edits);
  });

  // Innermost first, so nested insertions at one offset nest correctly.
  edits.sort((a, b) => b.start - a.start || a.end - b.end || b.rank - a.rank);
  for (const e of edits) {
    if (e.start === e.end) {
      // An empty body: one insertion, or appendLeft would put the suffix before the prefix.
      s.prependRight(e.start, e.prefix + e.suffix);
      continue;
    }
    s.prependRight(e.start, e.prefix);
    s.appendLeft(e.end, e.suffix);
  }

  const args = [filename, specs, names, lines, [...matched], candidates].map((a) => JSON.stringify(a)).join(',');
  const register = `__tz$.f(${args})`;
  s.appendLeft(prologueOffset(program, source), `${T.MARKER},__tz$b=__tz$?${register}:0;`);
  s.append(`${source.endsWith('\n') ? '' : '\n'}${T.HELPERS}\n`);
  return { code: withSourceMap(s, source, filename, inputMap), matched: [...matched], candidates };
}

interface Edit {
  start: number;
  end: number;
  prefix: string;
  suffix: string;
  /** For equal ranges: a higher rank is the inner edit (body < return < await). */
  rank: number;
}

function parse(source: string, filename: string, format: ModuleFormat): Node | undefined {
  const sourceType = format === 'module' ? 'module' : format === 'unknown' ? 'unambiguous' : 'commonjs';
  const lang = /\.[cm]?tsx?$/.test(filename) ? (filename.endsWith('x') ? 'tsx' : 'ts') : /\.jsx$/.test(filename) ? 'jsx' : 'js';
  let result = parseSync(filename, source, { sourceType, lang });
  // CommonJS may `return` at top level, which 'unambiguous' rejects.
  if (result.errors.length > 0 && sourceType === 'unambiguous') result = parseSync(filename, source, { sourceType: 'commonjs', lang });
  // A TS loader may hand us its JavaScript output under the .ts name.
  if (result.errors.length > 0 && lang !== 'js') result = parseSync(filename, source, { sourceType, lang: 'js' });
  if (result.errors.length > 0) return undefined;
  return result.program as unknown as Node;
}

function instrumentFunction(fn: Node, id: string, edits: Edit[]): void {
  const body = fn.body as Node;
  // Async functions and generators suspend: they give the current call back at each await/yield.
  const suspends = !!fn.async || !!fn.generator;
  if (body.type !== 'BlockStatement') {
    // `(a) => expr` becomes `(a) => {…try{return …(expr)…}…}`.
    edits.push({ start: body.start, end: body.end, prefix: `{${T.bodyStart(id)}return ${T.RETURN_START}`, suffix: `${T.RETURN_END}${T.bodyEnd(id)}}`, rank: 0 });
  } else {
    let start = body.start + 1;
    for (const statement of body.body as Node[]) {
      if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') start = statement.end;
      else break;
    }
    edits.push({ start, end: body.end - 1, prefix: T.bodyStart(id), suffix: T.bodyEnd(id), rank: 0 });
  }
  ownNodes(body, (node) => {
    switch (node.type) {
      case 'ReturnStatement':
        // Generators' returns end the iteration, not a call: the finally times them.
        if (node.argument && !fn.generator) edits.push({ start: node.argument.start, end: node.argument.end, prefix: T.RETURN_START, suffix: T.RETURN_END, rank: 1 });
        break;
      case 'AwaitExpression':
      case 'YieldExpression':
        if (!suspends) break;
        edits.push({ start: node.start, end: node.end, prefix: T.SUSPEND_START, suffix: T.SUSPEND_END, rank: 2 });
        if (node.argument) edits.push({ start: node.argument.start, end: node.argument.end, prefix: T.ARGUMENT_START, suffix: T.ARGUMENT_END, rank: 3 });
        else edits.push({ start: node.start, end: node.end, prefix: T.BARE_SUSPEND_START, suffix: T.BARE_SUSPEND_END, rank: 3 });
        break;
      case 'CatchClause':
        if (suspends) edits.push(resumeAt(node.body));
        break;
      case 'TryStatement':
        if (suspends && node.finalizer) edits.push(resumeAt(node.finalizer));
        break;
      case 'ForOfStatement':
        if (suspends && node.await && node.body.type === 'BlockStatement') edits.push(resumeAt(node.body));
        break;
    }
  });
}

function resumeAt(block: Node): Edit {
  return { start: block.start + 1, end: block.start + 1, prefix: T.RESUME, suffix: '', rank: 4 };
}

const FUNCTION_BOUNDARIES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassDeclaration', 'ClassExpression']);

/** The nodes of this function's own body, not of functions or classes nested in it. */
function ownNodes(body: Node, visit: (node: Node) => void): void {
  walk(body, (node) => {
    if (FUNCTION_BOUNDARIES.has(node.type)) return false;
    visit(node);
  });
}

/** Where the module prologue goes: after a hashbang line and any directive prologue. */
function prologueOffset(program: Node, source: string): number {
  let offset = 0;
  if (program.hashbang) {
    const newline = source.indexOf('\n', program.hashbang.end);
    offset = newline < 0 ? source.length : newline + 1;
  }
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') offset = statement.end;
    else break;
  }
  return offset;
}

/** Names as reported; an instance method sharing its name with a static one reads Client.prototype.query. */
function displayNames(fns: FoundFunction[]): string[] {
  const statics = new Set(fns.filter((f) => f.isStatic && f.container.length > 0).map(qualifiedName));
  return fns.map((f) => {
    const q = qualifiedName(f);
    return !f.isStatic && statics.has(q) ? [...f.container, 'prototype', f.name].join('.') : q;
  });
}

export function lineFinder(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

