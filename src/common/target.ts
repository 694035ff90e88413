// The target grammar `<module>:<name>`, shared by the launcher (validation)
// and the agent (which reads the same strings back from TANZHEN_TRACE).
import { isBuiltin } from 'node:module';
import path from 'node:path';
import type { ModuleSpec, Target } from './types.js';

export class TargetError extends Error {
  constructor(readonly spec: string, readonly reason: string) {
    super(`invalid target ${JSON.stringify(spec)}: ${reason}`);
  }
}

const ASCII_IDENT = /^#?[A-Za-z$_][\w$]*$/;
// Compiled only for a name outside ASCII: building the Unicode sets costs ~1 ms, paid by every probed process.
let unicodeIdent: RegExp | undefined;
const isIdent = (part: string) => ASCII_IDENT.test(part) || (unicodeIdent ??= /^#?[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u).test(part);
const PACKAGE = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9_.~-][\w.~-]*$/i;
const GLOB_CHARS = /[*?[\]{}]/;

/** Parses one target; relative file paths resolve against `cwd`. Throws TargetError. */
export function parseTarget(raw: string, cwd: string): Target {
  const spec = raw.trim();
  const colon = spec.lastIndexOf(':');
  if (colon < 0) throw new TargetError(spec, "expected <module>:<name>, e.g. ./lib/db.js:query (no ':' found)");
  const modulePart = spec.slice(0, colon);
  const namePart = spec.slice(colon + 1);
  if (modulePart === '') throw new TargetError(spec, 'the module before ":" is empty');
  if (namePart === '') throw new TargetError(spec, 'the function name after ":" is empty');
  return { spec, module: parseModule(spec, modulePart, cwd), name: parseName(spec, namePart) };
}

function parseName(spec: string, namePart: string): string[] {
  const parts = namePart.split('.');
  parts.forEach((part, i) => {
    if (part === '*' && i === parts.length - 1) return;
    if (part === '*') throw new TargetError(spec, '"*" may only end a name, as in Client.*');
    if (!isIdent(part)) throw new TargetError(spec, `${JSON.stringify(part)} is not a valid name`);
  });
  return parts;
}

function parseModule(spec: string, m: string, cwd: string): ModuleSpec {
  if (m.startsWith('./') || m.startsWith('../') || m.startsWith('/') || m === '.' || m === '..') {
    const abs = path.resolve(cwd, m);
    return GLOB_CHARS.test(m) ? { kind: 'glob', pattern: abs } : { kind: 'file', path: abs };
  }
  if (m.startsWith('node:')) {
    const name = m.slice(5);
    if (!isBuiltin(m)) throw new TargetError(spec, `${m} is not a Node.js built-in module`);
    return { kind: 'builtin', name };
  }
  if (isBuiltin(m)) return { kind: 'builtin', name: m };
  const segments = m.split('/');
  const scoped = m.startsWith('@');
  const nameLength = scoped ? 2 : 1;
  const name = segments.slice(0, nameLength).join('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || !PACKAGE.test(name) || segments.length < nameLength)
    throw new TargetError(spec, `${JSON.stringify(m)} is neither a path (start it with ./ or /), a built-in nor a package name`);
  return { kind: 'package', name, subpath: segments.slice(nameLength).join('/') };
}

/** Splits the TANZHEN_TRACE form: entries separated by ';' or newlines. */
export function splitTraceList(value: string): string[] {
  return value
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The name a function is reported under, as the user would write it. */
export function displayName(name: string[]): string {
  return name.join('.');
}
