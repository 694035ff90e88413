// Targets found through a loaded file's source map: `./src/db.ts:Client.query`
// in a bundle (esbuild, webpack, rollup), in tsc's outDir, in a package's
// minified file. Called for every module the program loads, so the common
// answers come cheap: no map comment on the last line, a file under
// node_modules that no target names, or a map whose `sources` (read before
// anything else in it) name no target. Only then is the whole map parsed,
// for the rewrite to follow each function to the source it was written in
// (original-names.ts).
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from '../../common/types.js';
import type { TargetSet } from '../targets.js';
import { walk, type FoundFunction, type Node } from './collect.js';
import type { OriginalSources } from './original-names.js';
import type { RawMap } from './source-map.js';
import { warn } from '../runtime/state.js';

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const COMMENTS = ['//# sourceMappingURL=', '//@ sourceMappingURL='];

/** What the rewrite of one module needs: its targets, and the map when names come through it. */
export interface ModulePlan {
  targets: Target[];
  map?: RawMap;
  /** The map came inline (a data URL): the rewrite composes its own map onto it. */
  inline?: boolean;
  /** A map file's text: what the rewrite read besides the module (the rewrite cache's key holds it). */
  mapText?: string;
  sources?: OriginalSources;
  /** Whether `target` may time `fn`: the target names this file, or the source `fn` was written in. */
  accepts(target: Target, fn: FoundFunction): boolean;
}

const anyFunction = () => true;

/** The plan for a loaded module, or undefined to leave it alone. Never throws. */
export function planModule(set: TargetSet, filename: string, source: string | Uint8Array | null | undefined): ModulePlan | undefined {
  const direct = set.forFile(filename);
  const plain = direct.length > 0 ? { targets: direct, accepts: anyFunction } : undefined;
  if (source == null || (direct.length === 0 && filename.includes(NODE_MODULES))) return plain;
  const url = mapUrlOf(source);
  if (url === undefined || (direct.length === 0 && !mayDefineTarget(set, source))) return plain;
  try {
    return withMap(set, filename, url, direct) ?? plain;
  } catch {
    // An unreadable map costs the source names, never the module.
    return plain;
  }
}

function withMap(set: TargetSet, filename: string, url: string, direct: Target[]): ModulePlan | undefined {
  const read = readMap(url, filename);
  if (!read) return undefined;
  let head = sourcesOf(read.text, read.complete);
  if (!head && !read.complete) head = sourcesOf((read.text = readFileSync(read.mapFile, 'utf8')), (read.complete = true));
  if (!head) return undefined;
  const files = resolveSources(head.sources, head.sourceRoot, read.mapFile);
  const viaMap: Target[] = [];
  for (const target of set.sourceTargets) {
    if (direct.includes(target)) continue;
    for (const file of files) {
      if (file !== undefined && set.matchesFile(target, file)) {
        viaMap.push(target);
        break;
      }
    }
  }
  if (direct.length === 0 && viaMap.length === 0) return undefined;
  const text = read.complete ? read.text : readFileSync(read.mapFile, 'utf8');
  let map: RawMap;
  try {
    map = JSON.parse(text) as RawMap;
  } catch (error) {
    // Its sources name a target: worth a line, since the target will read "never loaded".
    warn(`could not read the source map of ${filename} (${(error as Error).message}); its functions are not found by their source names`);
    return undefined;
  }
  if (!Array.isArray(map.sources) || typeof map.mappings !== 'string') return undefined;
  const wanted = files.map((f) => direct.length > 0 || (f !== undefined && viaMap.some((t) => set.matchesFile(t, f))));
  const directSet = new Set(direct);
  return {
    targets: [...direct, ...viaMap],
    map,
    inline: read.inline,
    mapText: read.inline ? undefined : text,
    // A loader's map of the file it compiled keeps that loader's lenient naming; a bundle's names only what it can place.
    sources: { files, wanted: (i) => wanted[i] === true, strict: viaMap.length > 0 || map.sources.length > 1 },
    accepts: (target, fn) => directSet.has(target) || (fn.file !== undefined && set.matchesFile(target, fn.file)),
  };
}

/** Per target set: strings one of which a module's text must hold for some target to be in it (undefined: any module may). */
const needlesOf = new WeakMap<TargetSet, Needles | undefined>();

/** The same strings, also as bytes for a hook that hands over a Buffer. */
interface Needles {
  strings: string[];
  buffers: Buffer[];
}

/**
 * Whether a module may hold a function some target names, before its map is
 * read (a map file costs a read; a tree compiled by tsc has one per module).
 * Compilers that keep names (tsc, Babel, swc, esbuild and rollup without
 * minifying, which at most add a suffix) leave the written name in the text,
 * and the target's file is often named there too (tsc's `db.js.map` for
 * db.ts, esbuild's `// src/db.ts`), which keeps "did you mean" for a misspelt
 * name; a minifier mangles local names, so a minified file (a long first or
 * last line) always may; so may any file for `*`, `default` or a glob.
 */
function mayDefineTarget(set: TargetSet, source: string | Uint8Array): boolean {
  if (!needlesOf.has(set)) needlesOf.set(set, needles(set.sourceTargets));
  const found = needlesOf.get(set);
  if (found === undefined) return true;
  const text = typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if (typeof text === 'string') {
    for (const needle of found.strings) if (text.includes(needle)) return true;
  } else for (const needle of found.buffers) if (text.includes(needle)) return true;
  return looksMinified(text);
}

function needles(targets: Target[]): Needles | undefined {
  const out = new Set<string>();
  for (const t of targets) {
    const last = t.name[t.name.length - 1];
    if (last === '*' || last === 'default' || t.module.kind === 'glob') return undefined;
    out.add(last.replace(/^#/, ''));
    if (t.module.kind === 'file') out.add(`${path.basename(t.module.path).replace(/\.[cm]?[jt]sx?$/, '')}.`);
    if (t.module.kind === 'package') out.add(`${t.module.name}/`);
  }
  const strings = [...out];
  return { strings, buffers: strings.map((needle) => Buffer.from(needle)) };
}

const LONG_LINE = 500;

/** A first line, or a line before the map comment, of more than LONG_LINE characters. */
function looksMinified(text: string | Buffer): boolean {
  const newline = typeof text === 'string' ? '\n' : 10;
  const first = text.indexOf(newline as string);
  if (first < 0 || first > LONG_LINE) return true;
  let end = text.length;
  while (end > 0 && (typeof text === 'string' ? text.charCodeAt(end - 1) : text[end - 1]) <= 32) end--;
  const commentLine = text.lastIndexOf(newline as string, end - 1);
  const before = commentLine > 0 ? text.lastIndexOf(newline as string, commentLine - 1) : -1;
  return commentLine - before > LONG_LINE;
}

/** The URL of the last line's `//# sourceMappingURL=`, or undefined. Looks at the last line only. */
export function mapUrlOf(source: string | Uint8Array): string | undefined {
  if (typeof source === 'string') {
    let end = source.length;
    while (end > 0 && source.charCodeAt(end - 1) <= 32) end--;
    const start = source.lastIndexOf('\n', end - 1) + 1;
    for (const comment of COMMENTS) if (source.startsWith(comment, start)) return source.slice(start + comment.length, end).trim() || undefined;
    return undefined;
  }
  const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] <= 32) end--;
  const start = bytes.lastIndexOf(10, end - 1) + 1;
  for (const comment of COMMENTS) {
    if (end - start > comment.length && bytes.toString('latin1', start, start + comment.length) === comment)
      return bytes.toString('utf8', start + comment.length, end).trim() || undefined;
  }
  return undefined;
}

/** Per directory, the `.map` files in it (null: unreadable). */
const listings = new Map<string, Set<string> | null>();

/**
 * Node 20's CommonJS loader asks for `_compile` before handing over the text
 * (legacy-cjs.ts): whether a file outside node_modules has a map beside it
 * (`main.js.map`, as esbuild, webpack, rollup and tsc write them), from one
 * listing per directory. A file per module read here would cost a tree of
 * user modules ~15% of its load; so on Node 20 a CommonJS file whose map is
 * inline (a data URL) is not looked at unless a target names it.
 */
export function mayCarryMap(filename: string): boolean {
  if (filename.includes(NODE_MODULES)) return false;
  const dir = path.dirname(filename);
  let maps = listings.get(dir);
  if (maps === undefined) {
    try {
      maps = new Set(readdirSync(dir).filter((name) => name.endsWith('.map')));
    } catch {
      maps = null;
    }
    listings.set(dir, maps);
  }
  return maps !== null && maps.has(`${path.basename(filename)}.map`);
}

interface MapText {
  text: string;
  /** Whether `text` is the whole map, or only its first bytes. */
  complete: boolean;
  /** Where its sources resolve from: the map file, or the module for an inline map. */
  mapFile: string;
  inline: boolean;
}

/** A map file's first bytes: most tools write `sources` before the mappings, so this is all a map naming no target costs. */
const HEAD = Buffer.allocUnsafe(4096);

function readMap(url: string, filename: string): MapText | undefined {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma < 0 || !/^data:application\/json/i.test(url)) return undefined;
    const payload = url.slice(comma + 1);
    const text = /;base64$/i.test(url.slice(0, comma)) ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
    return { text, complete: true, mapFile: filename, inline: true };
  }
  let mapFile: string;
  if (url.startsWith('file:')) mapFile = fileURLToPath(url);
  else if (hasScheme(url)) return undefined; // http: and the like: nothing we read
  else if (/^[\w.-]+$/.test(url) && url !== '.' && url !== '..') mapFile = `${path.dirname(filename)}${path.sep}${url}`; // tsc's `m.js.map`: beside the file
  else mapFile = path.resolve(path.dirname(filename), url.includes('%') ? safeDecode(url) : url);
  const fd = openSync(mapFile, 'r');
  let n: number;
  try {
    n = readSync(fd, HEAD, 0, HEAD.length, 0);
  } finally {
    closeSync(fd);
  }
  return { text: HEAD.toString('utf8', 0, n), complete: n < HEAD.length, mapFile, inline: false };
}

function safeDecode(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

/** `http:`, `webpack:`, `file:` (a Windows drive letter is no scheme). */
function hasScheme(url: string): boolean {
  const colon = url.indexOf(':');
  return colon > 1 && /^[a-z][\w+.-]+$/i.test(url.slice(0, colon));
}

const SOURCES = /"sources"\s*:\s*\[/y;
const SOURCE_ROOT = /"sourceRoot"\s*:\s*("(?:[^"\\]|\\.)*")/;

/**
 * `sources` and `sourceRoot` read without parsing the rest (a bundle's sourcesContent can be megabytes);
 * undefined when `text` is only the map's first bytes and they do not hold them.
 */
function sourcesOf(text: string, complete = false): { sources: Array<string | null>; sourceRoot: string } | undefined {
  // The key, then a check that it is one (a sticky regex at that offset): no scan of the text by a regex.
  let at = text.indexOf('"sources"');
  SOURCES.lastIndex = at;
  const key = at >= 0 ? SOURCES.exec(text) : null;
  const close = key ? text.indexOf(']', at) : -1;
  if (close >= 0) {
    const open = at + key![0].length - 1;
    const rootAt = text.indexOf('"sourceRoot"');
    const root = rootAt >= 0 ? SOURCE_ROOT.exec(text.slice(rootAt, rootAt + 4096)) : null;
    try {
      const sources = JSON.parse(text.slice(open, close + 1));
      return { sources, sourceRoot: root ? JSON.parse(root[1]) : '' };
    } catch {
      // A `]` inside a source name: the whole map, then.
    }
  }
  if (!complete) return undefined;
  const map = JSON.parse(text);
  return Array.isArray(map.sources) ? { sources: map.sources, sourceRoot: typeof map.sourceRoot === 'string' ? map.sourceRoot : '' } : undefined;
}

/** Each source as an absolute path, or undefined where it names no file we can place. */
export function resolveSources(sources: Array<string | null>, sourceRoot: string, mapFile: string): Array<string | undefined> {
  const dir = path.dirname(mapFile);
  return sources.map((source) => {
    if (typeof source !== 'string') return undefined;
    const full = sourceRoot === '' ? source : sourceRoot.endsWith('/') ? sourceRoot + source : `${sourceRoot}/${source}`;
    if (!full.includes(':')) return path.resolve(dir, full);
    // webpack: `webpack://<namespace>/./src/db.js`, relative to its context (the project's root, as a rule).
    const webpack = /^webpack:\/\/[^/]*\/(.*?)(?:\?[^/]*)?$/.exec(full);
    if (webpack) return path.resolve(projectRoot(dir), webpack[1]);
    if (full.startsWith('file:')) {
      try {
        return fileURLToPath(full);
      } catch {
        return undefined;
      }
    }
    if (hasScheme(full)) return undefined;
    return path.resolve(dir, full);
  });
}

const roots = new Map<string, string>();

/** The nearest directory at or above `dir` holding a package.json; `dir` itself when none does. */
function projectRoot(dir: string): string {
  let root = roots.get(dir);
  if (root !== undefined) return root;
  root = dir;
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if (statSync(path.join(d, 'package.json')).isFile()) {
        root = d;
        break;
      }
    } catch {
      // not here: one level up
    }
    if (path.dirname(d) === d) break;
  }
  roots.set(dir, root);
  return root;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * The functions of a bundle worth following through its map: the named ones
 * `found`, and the anonymous ones too (a minifier turns `async function main`
 * called once into `!async function(){…}()`); those that lead to no named
 * original drop out (original-names.ts).
 */
export function withAnonymous(program: Node, found: FoundFunction[]): FoundFunction[] {
  const named = new Set(found.map((fn) => fn.node));
  const out = [...found];
  walk(program, (node) => {
    if (FUNCTIONS.has(node.type) && node.body && !named.has(node)) out.push({ node, container: [], name: '', isStatic: true, isDefault: false });
  });
  return out;
}
