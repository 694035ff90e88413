// Instruments a target module at the definition site: each matched
// function's own body is wrapped in a timing try/catch/finally, so the
// function object, its name, length, prototype, `this`, `new.target`,
// `arguments` and `super` are the program's own. Nothing is inserted as a new
// line, so every line number stays where the user wrote it; the few shifted
// columns are covered by a source map.
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type MagicStringClass from 'magic-string';
import type { Target } from '../../common/types.js';
import { originalLineFinder, readInlineMap, withSourceMap } from './source-map.js';
import * as T from './templates.js';
import { lineFinder } from './lines.js';
import { collectFunctions, type FoundFunction, type Node } from './collect.js';
import { nameMatches, qualifiedName } from './names.js';
import { derivedConstructors, moduleScopeNames, needsSlot, nextLineContinues, ownNodes, redeclaresParameter, underWith } from './syntax.js';
import { moduleKey, noteOriginalSource } from '../runtime/source-text.js';

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
import { withOriginalNames } from './original-names.js';
import { withAnonymous, type ModulePlan } from './bundle-map.js';

export interface RewriteResult {
  code: string;
  /** Specs that matched at least one function here. */
  matched: string[];
  /** For specs that matched nothing here: the names this module does define. */
  candidates: Record<string, string[]>;
}


/** 'unknown': decide from the syntax (import/export make it a module). */
export type ModuleFormat = 'module' | 'commonjs' | 'unknown';

/** `plan`: the module's source map and which targets may time which function (bundle-map.ts); without it, every target here may. */
export function rewrite(source: string, filename: string, format: ModuleFormat, targets: Target[], plan?: ModulePlan): RewriteResult | undefined {
  if (source.includes(T.MARKER)) return undefined;
  const program = parse(source, filename, format);
  if (!program) return undefined;

  const inputMap = plan?.map ? (plan.inline ? plan.map : undefined) : readInlineMap(source);
  const found = plan?.sources?.strict ? withAnonymous(program, collectFunctions(program)) : collectFunctions(program);
  const all = withOriginalNames(found, source, filename, plan?.map ?? inputMap, plan?.sources);
  const here = (t: Target, fn: FoundFunction) => nameMatches(t.name, fn) && (plan?.accepts(t, fn) ?? true);
  const withBound = underWith(program);
  const chosen: Array<{ fn: FoundFunction; target: Target }> = [];
  const matched = new Set<string>();
  const derived = derivedConstructors(program);
  for (const fn of all) {
    if (withBound.has(fn.node) || redeclaresParameter(fn.node)) continue;
    const target = targets.find((t) => here(t, fn));
    if (!target) continue;
    chosen.push({ fn, target });
    for (const t of targets) if (here(t, fn)) matched.add(t.spec);
  }
  const candidates: Record<string, string[]> = {};
  for (const t of targets) if (!matched.has(t.spec)) candidates[t.spec] = [...new Set(all.filter((fn) => plan?.accepts(t, fn) ?? true).map(qualifiedName))];
  const lookup = T.probeLookup(moduleScopeNames(program));
  if (lookup === undefined) throw new RewriteError('it declares globalThis, Symbol and Function of its own; left as it was');
  if (chosen.length === 0) {
    // Nothing to time here, but the launcher's "did you mean" wants this module's names.
    const notice = `${lookup}?.f(${JSON.stringify(filename)},[],[],[],[],${JSON.stringify(candidates)});`;
    return { code: `${source}${source.endsWith('\n') ? '' : '\n'}${notice}\n`, matched: [], candidates };
  }

  // One id per reported name: a name defined twice (overloads, re-assignments) is one row.
  const names: string[] = [];
  const specs: string[] = [];
  const lines: number[] = [];
  // Per function, the file it was written in: a bundle's functions come from many.
  const files: string[] = [];
  const idOf = new Map<string, number>();
  const display = displayNames(chosen.map((c) => c.fn));
  const lineOf = inputMap ? originalLineFinder(source, inputMap) : lineFinder(source);
  const s = newMagicString(source);
  const edits: Edit[] = [];
  const key = moduleKey(filename, source.length);
  const ranges: number[] = [source.length];

  chosen.forEach(({ fn, target }, i) => {
    const name = display[i];
    const file = fn.file ?? filename;
    let id = idOf.get(`${file}\0${name}`);
    if (id === undefined) {
      id = names.length;
      idOf.set(`${file}\0${name}`, id);
      names.push(name);
      specs.push(target.spec);
      lines.push(fn.line ?? lineOf(fn.node.start));
      files.push(file);
    }
    instrumentFunction(source, fn.node, derived.has(fn.node), `__tz$b+${id}`, T.sourceToken(key, i), edits);
  });
  // Per function, the characters inserted inside it: Function.prototype.toString turns its text back (source-text.ts).
  const inserted = insertedCounter(edits);
  for (const { fn } of chosen) ranges.push(fn.node.start, fn.node.end, inserted(fn.node));

  // Innermost first, so nested insertions at one offset nest correctly: at one start, a shorter range is
  // inside a longer one, an equal range made later belongs to a deeper node, and a zero-width insertion
  // (the resume at the top of a catch block) goes outside whatever else starts there.
  edits.forEach((e, i) => (e.seq = i));
  edits.sort((a, b) => b.start - a.start || width0(a) - width0(b) || a.end - b.end || b.seq! - a.seq!);
  for (const e of edits) {
    if (e.start === e.end) {
      // One insertion (an empty body's prefix and suffix together): after the token before it, or before the one after.
      if (e.left) s.appendLeft(e.start, e.prefix + e.suffix);
      else s.prependRight(e.start, e.prefix + e.suffix);
      continue;
    }
    s.prependRight(e.start, e.prefix);
    s.appendLeft(e.end, e.suffix);
  }

  const registered = [filename, specs, names, lines, [...matched], candidates, key, ranges];
  if (files.some((f) => f !== filename)) registered.push(files);
  const args = registered.map((a) => JSON.stringify(a)).join(',');
  s.appendLeft(prologueOffset(program, source), `;${T.MARKER}${lookup}${T.prologue(`__tz$.f(${args})`)}`);
  s.append(`${source.endsWith('\n') ? '' : '\n'}${T.HELPERS}\n`);
  const code = withSourceMap(s, source, filename, inputMap);
  // The net: what we hand to Node must parse, or Node gets the module as it was.
  const problem = parseProblem(code, filename, format);
  if (problem !== undefined) throw new RewriteError(`the rewritten module does not parse (${problem}); left as it was`);
  noteOriginalSource(key, source);
  return { code, matched: [...matched], candidates };
}

export class RewriteError extends Error {}

interface Edit {
  start: number;
  end: number;
  prefix: string;
  suffix: string;
  /** A zero-width insertion that belongs to the token before it (after a bare `return`). */
  left?: boolean;
  /** Creation order: for equal ranges, a later edit is the inner one. */
  seq?: number;
}

function parse(source: string, filename: string, format: ModuleFormat): Node | undefined {
  const result = parseModule(source, filename, format);
  return result.errors.length > 0 ? undefined : (result.program as unknown as Node);
}

/**
 * The first syntax error of `code`, or undefined when it parses. CommonJS is
 * judged by V8 itself, compiled the way Node's loader compiles it (and ~5x
 * faster than a second oxc parse, which builds an AST); ES modules by oxc
 * (vm cannot compile a module without a flag on Node 20).
 */
function parseProblem(code: string, filename: string, format: ModuleFormat): string | undefined {
  if (format === 'commonjs') {
    try {
      compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
      return undefined;
    } catch (error) {
      return error instanceof SyntaxError ? error.message : undefined;
    }
  }
  const error = parseModule(code, filename, format).errors[0];
  return error === undefined ? undefined : String((error as { message?: string }).message ?? error);
}

function parseModule(source: string, filename: string, format: ModuleFormat) {
  const sourceType = format === 'module' ? 'module' : format === 'unknown' ? 'unambiguous' : 'commonjs';
  const lang = /\.[cm]?tsx?$/.test(filename) ? (filename.endsWith('x') ? 'tsx' : 'ts') : /\.jsx$/.test(filename) ? 'jsx' : 'js';
  let result = parseSync(filename, source, { sourceType, lang });
  // CommonJS may `return` at top level, which 'unambiguous' rejects.
  if (result.errors.length > 0 && sourceType === 'unambiguous') result = parseSync(filename, source, { sourceType: 'commonjs', lang });
  // A TS loader may hand us its JavaScript output under the .ts name.
  if (result.errors.length > 0 && lang !== 'js') result = parseSync(filename, source, { sourceType, lang: 'js' });
  return result;
}

function instrumentFunction(source: string, fn: Node, derivedConstructor: boolean, id: string, token: string, edits: Edit[]): void {
  const body = fn.body as Node;
  // Async functions and generators suspend: they give the current call back at each await/yield.
  const suspends = !!fn.async || !!fn.generator;
  // A derived constructor's `return` can throw at the return itself (no super() yet): it must end in one place.
  const slot = suspends || derivedConstructor || needsSlot(body);
  // The finally of the slot shape sees the last value returned (a promise is timed until it settles); a generator's return value is never one.
  const returnStart = slot ? T.SLOT_RETURN_START : T.STACK_RETURN_START;
  const returnEnd = slot ? T.SLOT_RETURN_END : T.STACK_RETURN_END;
  const prefix = slot ? T.slotStart(id) : T.stackStart(id);
  const suffix = slot ? T.slotEnd(id, token) : T.stackEnd(token);
  if (body.type !== 'BlockStatement') {
    // `(a) => expr` becomes `(a) => {…try{return …(expr)…}…}`.
    edits.push({ start: body.start, end: body.end, prefix: `{${prefix}return ${returnStart}`, suffix: `${returnEnd}${suffix}}` });
  } else {
    let start = body.start + 1;
    for (const statement of body.body as Node[]) {
      if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') start = statement.end;
      else break;
    }
    edits.push({ start, end: body.end - 1, prefix, suffix });
  }
  // for-await loops standing in a statement list, and where their statement (labels included) ends.
  // (Filled as each block or case is visited: the walk visits a parent, the body itself included, before its children.)
  const listed = new Map<Node, number>();
  ownNodes(body, (node) => {
    switch (node.type) {
      case 'ReturnStatement':
        // An async generator's `return x` awaits x: the call steps aside meanwhile, as at any await.
        if (fn.generator && fn.async && node.argument) edits.push({ start: node.argument.start, end: node.argument.end, prefix: T.ARGUMENT_START, suffix: T.ARGUMENT_END });
        if (fn.generator) break;
        if (node.argument) edits.push({ start: node.argument.start, end: node.argument.end, prefix: returnStart, suffix: returnEnd });
        else if (!slot) {
          // After the keyword, ending the statement when it had no `;` (`return\n(x)` must not become a call).
          const at = node.start + 'return'.length;
          edits.push({ start: at, end: at, prefix: T.STACK_BARE_RETURN + (node.end === at ? ';' : ''), suffix: '', left: true });
        }
        break;
      case 'AwaitExpression':
      case 'YieldExpression':
        if (!suspends) break;
        // A bare `yield` ends its statement at a line break (a restricted production); our call would not.
        const endsLine = !node.argument && nextLineContinues(source, node.end);
        edits.push({ start: node.start, end: node.end, prefix: T.SUSPEND_START, suffix: T.SUSPEND_END + (endsLine ? ';' : '') });
        if (node.argument) edits.push({ start: node.argument.start, end: node.argument.end, prefix: T.ARGUMENT_START, suffix: T.ARGUMENT_END });
        else edits.push({ start: node.start, end: node.end, prefix: T.BARE_SUSPEND_START, suffix: T.BARE_SUSPEND_END });
        break;
      case 'CatchClause':
        if (suspends) edits.push(resumeAt(node.body));
        break;
      case 'TryStatement':
        if (suspends && node.finalizer) edits.push(resumeAt(node.finalizer));
        break;
      case 'ForOfStatement':
        if (!suspends || !node.await || node.body.type !== 'BlockStatement') break;
        if (listed.has(node)) forAwait(node, listed.get(node)!, edits);
        else edits.push(resumeAt(node.body));
        break;
      case 'BlockStatement':
      case 'SwitchCase':
        for (const statement of (node.body ?? node.consequent) as Node[]) {
          let loop = statement;
          while (loop.type === 'LabeledStatement') loop = loop.body;
          if (loop.type === 'ForOfStatement' && loop.await) listed.set(loop, statement.end);
        }
        break;
    }
  });
}

const width0 = (e: Edit) => (e.start === e.end ? 1 : 0);

/**
 * A for-await loop waits for each next item in its head, an await no code of
 * ours can wrap: the call steps aside after the iterable is evaluated and at
 * the end of every pass (a finally, so `continue` too), takes the current call
 * back at the top of the body and after the loop.
 */
function forAwait(loop: Node, statementEnd: number, edits: Edit[]): void {
  edits.push({ start: loop.right.start, end: loop.right.end, prefix: T.ARGUMENT_START, suffix: T.ARGUMENT_END });
  edits.push({ start: loop.body.start + 1, end: loop.body.end - 1, prefix: `${T.RESUME}try{`, suffix: `}finally{${T.STEP_ASIDE}}` });
  edits.push({ start: statementEnd, end: statementEnd, prefix: `;${T.RESUME}`, suffix: '', left: true });
}

function resumeAt(block: Node): Edit {
  return { start: block.start + 1, end: block.start + 1, prefix: T.RESUME, suffix: '' };
}

/**
 * Characters our edits insert strictly inside a function's range (its own and
 * those of functions nested in it). Edits nest like the nodes they belong to,
 * so those inside a function are the ones starting in (start, end]: a binary
 * search over prefix sums, not a pass over every edit per function (a 6 MB
 * file has tens of thousands of both).
 */
function insertedCounter(edits: Edit[]): (fn: Node) => number {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const sums = new Float64Array(sorted.length + 1);
  sorted.forEach((e, i) => (sums[i + 1] = sums[i] + e.prefix.length + e.suffix.length));
  /** The index of the first edit starting after `offset`. */
  const after = (offset: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid].start <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (fn) => {
    const from = after(fn.start);
    const to = after(fn.end);
    let total = sums[to] - sums[from];
    // One starting at the very end is inside only if it is zero-width there.
    for (let i = to - 1; i >= from && sorted[i].start === fn.end; i--) if (sorted[i].end > fn.end) total -= sorted[i].prefix.length + sorted[i].suffix.length;
    return total;
  };
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

