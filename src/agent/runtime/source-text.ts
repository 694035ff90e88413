// Function.prototype.toString gives the program's own text back. Code that
// serialises functions (vm.runInNewContext(`(${fn})()`), eval workers,
// Puppeteer's page.evaluate, workerpool) must get what the user wrote, not
// our rewritten body, which names a probe that does not exist over there.
//
// Every instrumented body ends with a token naming its module and function
// (templates.ts sourceToken); the rewriter notes each function's original
// range and how many characters it inserted inside it. A rewritten text is
// turned back from its last token down: the function ending last contains
// every other one, so replacing it first handles nesting, and a class's
// methods are each replaced in turn. Built-ins we wrap answer with the
// original built-in's text. Installed by the preload; until a token is seen
// it costs one `includes` per call.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TOKEN_START } from '../instrument/templates.js';
import { fnv1a } from '../../common/hash.js';

interface ModuleSource {
  file: string;
  /** Per function: original start, original end, characters inserted inside. */
  ranges: number[];
  /** The module as the loader gave it; read back from disk when the rewrite ran in another thread. */
  source?: string;
  length: number;
}

const nativeToString = Function.prototype.toString;
const apply = Reflect.apply;
const modules = new Map<string, ModuleSource>();
const originalSources = new Map<string, string>();
const wrappers = new WeakMap<object, object>();
let installed = false;

/** A short key for a module: FNV-1a of its file name and source length (the length checks a re-read). */
export function moduleKey(file: string, sourceLength: number): string {
  return fnv1a(`${file}\0${sourceLength}`).toString(36);
}

/** The rewriter, in the thread that runs the module, keeps its original text. */
export function noteOriginalSource(key: string, source: string): void {
  originalSources.set(key, source);
}

/** The instrumented module, as it registers: its length, then per function its original start, end and the characters inserted inside. */
export function noteSourceRanges(key: string, file: string, ranges: number[]): void {
  if (!modules.has(key)) {
    modules.set(key, { file, length: ranges[0], ranges: ranges.slice(1), source: originalSources.get(key) });
    originalSources.delete(key);
  }
  installSourceText();
}

/** A wrapper around a built-in shows the built-in's own text. */
export function noteWrapper(wrapper: object, original: object): void {
  wrappers.set(wrapper, original);
  installSourceText();
}

/** Installed by the preload, before any program code could take a reference to the native one. */
export function installSourceText(): void {
  if (installed) return;
  installed = true;
  const descriptor = Object.getOwnPropertyDescriptor(Function.prototype, 'toString');
  if (!descriptor || !descriptor.writable || !descriptor.configurable) return;
  const replacement = {
    toString(this: unknown): string {
      const original = typeof this === 'function' ? wrappers.get(this) : undefined;
      if (original !== undefined) return apply(nativeToString, original, []);
      // Our own replacement reads as the native function it stands for.
      const text: string = apply(nativeToString, this === replacement ? nativeToString : this, []);
      return text.includes(TOKEN_START) ? restore(text) : text;
    },
  }.toString;
  Object.defineProperty(Function.prototype, 'toString', { ...descriptor, value: replacement });
}

const TOKEN = /\/\*tz:([0-9a-z]+):(\d+)\*\/$/;

/** The text as written: each instrumented function in it replaced by its original, outermost first. */
function restore(text: string): string {
  let out = text;
  let searchFrom = out.length;
  for (;;) {
    const at = out.lastIndexOf(TOKEN_START, searchFrom);
    if (at < 0) return out;
    const close = out.indexOf('*/', at);
    const match = close < 0 ? null : TOKEN.exec(out.slice(at, close + 2));
    const module = match ? modules.get(match[1]) : undefined;
    const source = module && sourceOf(module);
    const index = match ? Number(match[2]) * 3 : -1;
    if (!module || source === undefined || index + 2 >= module.ranges.length || out[close + 2] !== '}') {
      searchFrom = at - 1;
      if (searchFrom < 0) return out;
      continue;
    }
    const [start, end, inserted] = module.ranges.slice(index, index + 3);
    const spanEnd = close + 3;
    const spanStart = spanEnd - (end - start + inserted);
    if (spanStart < 0) return out;
    out = out.slice(0, spanStart) + source.slice(start, end) + out.slice(spanEnd);
    searchFrom = spanStart - 1;
    if (searchFrom < 0) return out;
  }
}

function sourceOf(module: ModuleSource): string | undefined {
  if (module.source !== undefined) return module.source;
  try {
    const path = module.file.startsWith('file:') ? fileURLToPath(module.file) : module.file;
    const text = readFileSync(path, 'utf8');
    if (text.length === module.length) module.source = text;
  } catch {
    // The file is gone or unreadable: the rewritten text stays.
  }
  return module.source;
}
