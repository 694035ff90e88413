// Node 20: ES modules through module.register() hooks, which run in a
// separate hooks thread (see esm-loader.ts). Registered only when some
// target can be an ES module: merely having async hooks slows every import.
import module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Target } from '../../common/types.js';

export interface LoaderData {
  trace: string[];
  cwd: string;
}

export function installEsmHooks(data: LoaderData): void {
  const loader = new URL('./esm-loader.js', import.meta.url);
  const register = module.register;
  register(loader, { data });
  // As with the sync hooks: stay outermost when a TS loader registers after us.
  (module as any).register = {
    register(this: unknown, ...args: Parameters<typeof register>) {
      const theirs = register.apply(this, args);
      register(loader, { data });
      return theirs;
    },
  }.register;
  module.syncBuiltinESMExports();
}

export function canBeEsm(targets: Target[]): boolean {
  return targets.some((t) => {
    const m = t.module;
    if (m.kind === 'package' || m.kind === 'glob') return true;
    if (m.kind !== 'file') return false;
    if (/\.m[jt]s$/.test(m.path)) return true;
    if (/\.c[jt]s$/.test(m.path)) return false;
    return packageType(path.dirname(m.path)) === 'module';
  });
}

function packageType(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')).type;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}
