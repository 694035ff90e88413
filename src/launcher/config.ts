// Targets and settings from a config file: `-c FILE`, else
// tanzhen.config.json in the working directory, else a "tanzhen" key in
// package.json. JSON is parsed as data; a JS config runs only when named with -c.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { ParseError } from 'jsonc-parser';
import { UsageError } from './errors.js';

export interface FileConfig {
  trace: string[];
  out?: string;
  calls?: boolean;
  quiet?: boolean;
  /** The file it came from, for messages. */
  source?: string;
}

export async function loadConfig(cwd: string, explicit?: string): Promise<FileConfig> {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new UsageError(`config file not found: ${explicit}`);
    if (/\.[cm]?[jt]s$/.test(file)) return validate(await importConfig(file, explicit), explicit);
    return validate(parseJson(readText(file, explicit), explicit), explicit);
  }
  const own = path.join(cwd, 'tanzhen.config.json');
  if (existsSync(own)) return validate(parseJson(readText(own, 'tanzhen.config.json'), 'tanzhen.config.json'), 'tanzhen.config.json');
  const pkg = path.join(cwd, 'package.json');
  if (existsSync(pkg)) {
    const json = parseJson(readText(pkg, 'package.json'), 'package.json') as Record<string, unknown> | null;
    if (json && typeof json === 'object' && 'tanzhen' in json) return validate(json.tanzhen, 'package.json "tanzhen"');
  }
  return { trace: [] };
}

/** The file's text, without the UTF-8 byte order mark some editors write (Node and npm ignore it too). Only regular files: /dev/zero or a FIFO would hang us. */
function readText(file: string, label: string): string {
  try {
    if (!statSync(file).isFile()) throw new UsageError(`config ${label} is not a regular file`);
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read config ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function importConfig(file: string, label: string): Promise<unknown> {
  try {
    const mod = await import(pathToFileURL(file).href);
    return mod.default ?? mod;
  } catch (error) {
    throw new UsageError(`cannot load config ${label}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Strict JSON; a syntax error becomes `file:line:column: message` (jsonc-parser reports offsets, V8 does not always). */
export function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Only for the message: the parser loads when a file is not valid JSON.
    const { parseTree, printParseErrorCode } = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
    const errors: ParseError[] = [];
    parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const offset = first ? first.offset : text.length;
    const { line, column } = lineColumn(text, offset);
    const reason = first ? describeError(printParseErrorCode(first.error)) : 'not valid JSON';
    throw new UsageError(`${label}:${line}:${column}: invalid JSON: ${reason}`);
  }
}

function describeError(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function validate(value: unknown, label: string): FileConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${label}: expected an object like { "trace": ["./app.js:main"] }`);
  const object = value as Record<string, unknown>;
  const known = new Set(['trace', 'out', 'calls', 'quiet']);
  for (const key of Object.keys(object)) if (!known.has(key)) throw new UsageError(`${label}: unknown key "${key}" (known: ${[...known].join(', ')})`);
  let trace: string[] = [];
  if (typeof object.trace === 'string') trace = [object.trace];
  else if (Array.isArray(object.trace) && object.trace.every((t) => typeof t === 'string')) trace = object.trace as string[];
  else if (object.trace !== undefined) throw new UsageError(`${label}: "trace" must be a list of "<module>:<name>" strings`);
  for (const key of ['calls', 'quiet'] as const) {
    if (object[key] !== undefined && typeof object[key] !== 'boolean') throw new UsageError(`${label}: "${key}" must be true or false`);
  }
  if (object.out !== undefined && typeof object.out !== 'string') throw new UsageError(`${label}: "out" must be a directory path`);
  return { trace, out: object.out as string | undefined, calls: object.calls as boolean | undefined, quiet: object.quiet as boolean | undefined, source: label };
}
