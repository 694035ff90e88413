// Which targets concern a given module file. Called for every module the
// program loads, so the common answer ("none") is reached with string
// comparisons only.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findSourceFile } from '../common/source-file.js';
import type { Target } from '../common/types.js';

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?)$/;

export class TargetSet {
  readonly builtins: Target[];
  readonly sourceTargets: Target[];
  private readonly globs: Array<{ target: Target; test: (file: string) => boolean }> = [];

  constructor(readonly all: Target[]) {
    this.builtins = all.filter((t) => t.module.kind === 'builtin');
    this.sourceTargets = all.filter((t) => t.module.kind !== 'builtin');
  }

  /** Globs compile lazily: picomatch loads only when a glob target exists. */
  prepare(): void {
    const globTargets = this.sourceTargets.filter((t) => t.module.kind === 'glob');
    if (globTargets.length === 0) return;
    const picomatch = createRequire(import.meta.url)("picomatch") as typeof import("picomatch");
    for (const target of globTargets) {
      if (target.module.kind === 'glob') this.globs.push({ target, test: picomatch(target.module.pattern, { dot: true }) });
    }
  }

  get empty(): boolean {
    return this.sourceTargets.length === 0;
  }

  /** Targets whose module part names this file. */
  forFile(filename: string): Target[] {
    let out: Target[] | undefined;
    for (const target of this.sourceTargets) {
      if (fileMatches(target, filename, this.globs)) (out ??= []).push(target);
    }
    return out ?? NONE;
  }

  /** Whether `target`'s module part names `file` (a loaded module, or a source a module's map lists). */
  matchesFile(target: Target, file: string): boolean {
    return fileMatches(target, file, this.globs);
  }
}

const NONE: Target[] = [];

function fileMatches(target: Target, filename: string, globs: Array<{ target: Target; test: (f: string) => boolean }>): boolean {
  const m = target.module;
  switch (m.kind) {
    case 'file':
      // Each way of naming the file starts with its path: one comparison turns away all others.
      if (!filename.startsWith(m.path)) return false;
      return filename === m.path || (!SOURCE_EXT.test(m.path) && withoutExtension(filename) === m.path) || isIndexOf(filename, m.path);
    case 'glob':
      return globs.some((g) => g.target === target && g.test(filename));
    case 'package': {
      const marker = `${path.sep}node_modules${path.sep}${m.name}${path.sep}`;
      const at = filename.lastIndexOf(marker);
      if (at < 0) return false;
      if (m.subpath === '') return true;
      const file = filename.slice(at + marker.length);
      // The subpath may carry the file's extension (lib/utils.js) or not (lib/utils), or name a directory.
      if (file === m.subpath || file.startsWith(`${m.subpath}/`)) return true;
      const rest = withoutExtension(file);
      return rest === m.subpath || rest === `${m.subpath}/index`;
    }
    default:
      return false;
  }
}

function withoutExtension(file: string): string {
  const ext = SOURCE_EXT.exec(file);
  return ext ? file.slice(0, -ext[0].length) : file;
}

function isIndexOf(filename: string, dir: string): boolean {
  return filename.startsWith(dir + path.sep) && /^index\.[cm]?[jt]sx?$/.test(filename.slice(dir.length + 1));
}

/** Whether some target may be a TypeScript file (a path or pattern naming .ts/.tsx/.cts/.mts). */
export function mayBeTypeScript(targets: Target[]): boolean {
  return targets.some((t) => {
    const m = t.module;
    if (m.kind === 'glob') return /ts/.test(m.pattern);
    if (m.kind !== 'file') return false;
    return /\.[cm]?tsx?$/.test(findSourceFile(m.path) ?? m.path);
  });
}

/**
 * Whether some target may be an ES module. Module hooks cost every import
 * something (async ones on Node 20 a lot, registerHooks() ~20% of a CommonJS
 * tree's load), so a run whose targets are all CommonJS instruments through
 * the CommonJS loader alone.
 */
export function canBeEsm(targets: Target[]): boolean {
  return targets.some((t) => {
    const m = t.module;
    if (m.kind === 'package' || m.kind === 'glob') return true;
    if (m.kind !== 'file') return false;
    const file = findSourceFile(m.path);
    const name = file ?? m.path;
    if (/\.m[jt]s$/.test(name)) return true;
    if (/\.c[jt]s$/.test(name)) return false;
    const type = packageType(path.dirname(name));
    if (type !== undefined) return type === 'module';
    // No "type": Node decides by syntax, and so do we.
    return file === undefined || /^\s*(?:import\s*[\w{*'"]|export\s)/m.test(readFileSync(file, 'utf8'));
  });
}

function packageType(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')).type;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}
