// Names as the user wrote them, for JavaScript a loader compiled from
// TypeScript (tsx/esbuild, ts-node/tsc, swc). The compiler's output renames
// things: a decorated class becomes `_Svc` or `Svc_1`, a namespace function
// becomes a plain `f` inside an IIFE. When the output carries the loader's
// source map, each function found in the output is followed through the map
// to the original source, parsed here, and takes the name, container and line
// of the original function it came from. Without a map, a readable original
// or a match, a function keeps the name found in the output.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectFunctions, walk, type FoundFunction, type Node } from './collect.js';
import { traceOf, type RawMap } from './source-map.js';
import { lineColumn, lineStarts } from './lines.js';

const require = createRequire(import.meta.url);

/** A function or class of the original source, over the range that defines it (decorators, `export`, key, `const x =` included). */
interface Scope {
  start: number;
  end: number;
  /** Where a function's body begins: a position mapped before it is the function itself, after it something inside. */
  head: number;
  /** The named function found there, or the container path of a named class. */
  fn?: FoundFunction;
  container?: string[];
  isClass: boolean;
  /** Index of the innermost scope enclosing this one, or -1. */
  parent: number;
}

interface Original {
  scopes: Scope[];
  lineStarts: number[];
  /** The source file, when it can be placed. */
  file?: string;
}

/** A map's sources as the rewrite of a module sees them (bundle-map.ts). */
export interface OriginalSources {
  /** Source i as an absolute path, or undefined. */
  files: Array<string | undefined>;
  /** Whether source i concerns some target (the others are not parsed). */
  wanted(index: number): boolean;
  /** A bundle's map: a function that cannot be followed to a named original is no one's. */
  strict: boolean;
}

/**
 * Each function of `found` renamed after its original, where the map leads to one. Without `sources`, a
 * loader's map of the one file it compiled; with them, any map (a bundle's), where functions written in
 * no source we can read keep the names found here and, when `strict`, functions that lead into a source
 * but to no named function there are left out (a callback, a bundler's wrapper).
 */
export function withOriginalNames(found: FoundFunction[], source: string, filename: string, map: RawMap | undefined, sources?: OriginalSources): FoundFunction[] {
  if (!map || !Array.isArray(map.sources) || (!sources && map.sources.length !== 1)) return found;
  try {
    return renamed(found, source, filename, map, sources);
  } catch {
    // A map we cannot follow costs the written names, never the probe.
    return found;
  }
}

function renamed(found: FoundFunction[], source: string, filename: string, map: RawMap, sources: OriginalSources | undefined): FoundFunction[] {
  const { trace, traceSegment } = traceOf(map);
  const originals = new Map<number, Original | null>();
  const strict = sources?.strict === true;
  const generatedStarts = lineStarts(source);
  const originalOf = (index: number): Original | null => {
    let original = originals.get(index);
    if (original === undefined) {
      original = sources && !sources.wanted(index) ? null : readOriginal(map, index, sources ? sources.files[index] : resolveSource(map, filename));
      originals.set(index, original);
    }
    return original;
  };
  const out: FoundFunction[] = [];
  for (const fn of found) {
    const renamedFn = follow(fn);
    // An anonymous function (withAnonymous in bundle-map.ts) counts only under the name it was written with.
    if (renamedFn && renamedFn.name !== '') out.push(renamedFn);
  }
  return out;

  function follow(fn: FoundFunction): FoundFunction | undefined {
    const points = probePoints(fn.node);
    let mapped = false;
    for (let i = 0; i < points.length; i++) {
      const { line, column } = lineColumn(generatedStarts, points[i]);
      const segment = traceSegment(trace, line - 1, column);
      if (!segment || segment.length < 4) continue;
      mapped = true;
      const original = originalOf(segment[1]!);
      if (!original) return strict && !sources!.wanted(segment[1]!) ? undefined : fn;
      const at = original.lineStarts[segment[2]!] + segment[3]!;
      const scope = innermost(original.scopes, at);
      if (!scope) continue;
      const file = original.file;
      if (!scope.isClass) {
        // The function itself, or (mapped into its body) something the compiler made inside it.
        // A first statement can be a nested function: it only ever names a class.
        if (at > scope.head || !scope.fn || i === FIRST_STATEMENT) return strict ? undefined : fn;
        return { ...scope.fn, node: fn.node, line: lineColumn(original.lineStarts, scope.fn.node.start).line, file };
      }
      // A method the compiler added to a class (a constructor running decorator initializers): the class as written.
      if (scope.container && fn.container.length > 0) return { ...fn, container: scope.container, line: segment[2]! + 1, file };
      return strict ? undefined : fn;
    }
    return strict && mapped ? undefined : fn;
  }
}

const FIRST_STATEMENT = 2;

/**
 * Where to look a generated function up in the map: its body's start (esbuild maps it exactly), its own start,
 * its first statement. A concise arrow body can itself be a function (`a => b => a + b`): the arrow's own start then.
 */
function probePoints(fn: Node): number[] {
  const body = fn.body as Node;
  const block = body.type === 'BlockStatement';
  const points = [block ? body.start : fn.start, fn.start];
  if (block && body.body?.[0]) points.push(body.body[0].start);
  return points;
}

function readOriginal(map: RawMap, index: number, name: string | undefined): Original | null {
  let text = (map.sourcesContent as Array<string | null> | undefined)?.[index];
  // tsx leaves sourcesContent empty: the loader's source is the file on disk.
  if (typeof text !== 'string') {
    if (!name) return null;
    try {
      if (!statSync(name).isFile()) return null;
      text = readFileSync(name, 'utf8');
    } catch {
      return null;
    }
  }
  const program = parseOriginal(name ?? String(map.sources[index]), text);
  return program ? { scopes: scopesOf(program), lineStarts: lineStarts(text), file: name } : null;
}

function resolveSource(map: RawMap, filename: string): string | undefined {
  const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
  const source = root && !root.endsWith('/') ? `${root}/${map.sources[0]}` : root + map.sources[0];
  if (source.startsWith('file:')) {
    try {
      return fileURLToPath(source);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][\w+.-]*:/i.test(source)) return undefined;
  return path.resolve(path.dirname(filename), source);
}

function parseOriginal(name: string, text: string): Node | undefined {
  const oxc = require('oxc-parser') as typeof import('oxc-parser');
  // Plain JavaScript as 'jsx', its superset: a Babel-compiled .js original may hold JSX.
  const lang = /\.[cm]?tsx?$/.test(name) ? (name.endsWith('x') ? 'tsx' : 'ts') : 'jsx';
  for (const sourceType of ['module', 'commonjs'] as const) {
    const result = oxc.parseSync(name, text, { sourceType, lang, astType: 'js' });
    if (result.errors.length === 0) return result.program as unknown as Node;
  }
  return undefined;
}

/** A node whose range belongs to the single function or class it holds. */
const OWNER_SLOTS: Record<string, string> = {
  ExportNamedDeclaration: 'declaration',
  ExportDefaultDeclaration: 'declaration',
  VariableDeclarator: 'init',
  MethodDefinition: 'value',
  TSAbstractMethodDefinition: 'value',
  PropertyDefinition: 'value',
  AccessorProperty: 'value',
  Property: 'value',
  ExpressionStatement: 'expression',
  AssignmentExpression: 'right',
  ParenthesizedExpression: 'expression',
  TSAsExpression: 'expression',
  TSSatisfiesExpression: 'expression',
  TSNonNullExpression: 'expression',
  TSTypeAssertion: 'expression',
};
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const CLASSES = new Set(['ClassDeclaration', 'ClassExpression']);

/** Every function (named or not) and class of the original, sorted by start, each linked to the innermost one enclosing it. */
function scopesOf(program: Node): Scope[] {
  const classes = new Map<Node, string[]>();
  const named = new Map<Node, FoundFunction>();
  for (const fn of collectFunctions(program, classes)) named.set(fn.node, fn);
  const ownerStart = new Map<Node, number>();
  const scopes: Scope[] = [];
  walk(program, (node) => {
    const slot = OWNER_SLOTS[node.type];
    let child = slot ? (node[slot] as Node | null | undefined) : undefined;
    if (node.type === 'VariableDeclaration' && node.declarations.length === 1) child = node.declarations[0];
    if (child) ownerStart.set(child, ownerStart.get(node) ?? node.start);
    const isClass = CLASSES.has(node.type);
    if (!isClass && !(FUNCTIONS.has(node.type) && node.body)) return;
    const start = Math.min(ownerStart.get(node) ?? node.start, node.start);
    const head = isClass ? node.end : (node.body as Node).start;
    scopes.push({ start, end: node.end, head, fn: named.get(node), container: classes.get(node), isClass, parent: -1 });
  });
  scopes.sort((a, b) => a.start - b.start || b.end - a.end);
  const open: number[] = [];
  scopes.forEach((scope, i) => {
    while (open.length > 0 && scopes[open[open.length - 1]].end <= scope.start) open.pop();
    scope.parent = open.length > 0 ? open[open.length - 1] : -1;
    open.push(i);
  });
  return scopes;
}

/** The innermost scope containing `offset`: the last one starting at or before it, or the nearest enclosing one that reaches it. */
function innermost(scopes: Scope[], offset: number): Scope | undefined {
  let lo = 0;
  let hi = scopes.length - 1;
  let i = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (scopes[mid].start <= offset) {
      i = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  while (i >= 0 && scopes[i].end <= offset) i = scopes[i].parent;
  return i >= 0 ? scopes[i] : undefined;
}
