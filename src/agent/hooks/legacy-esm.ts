// Node 20: ES modules through module.register() hooks, which run in a
// separate hooks thread (see esm-loader.ts). Registered only when some
// target can be an ES module (targets.ts canBeEsm): merely having async hooks
// slows every import.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { registerMarked } from './hooks-thread.js';

export interface LoaderData {
  trace: string[];
  cwd: string;
}

export function installEsmHooks(data: LoaderData): void {
  // Next to this file in tsc's output; under hooks/ once bundled into dist/agent/register.cjs.
  const beside = new URL('./esm-loader.js', import.meta.url);
  const loader = existsSync(fileURLToPath(beside)) ? beside : new URL('./hooks/esm-loader.js', import.meta.url);
  const register = module.register;
  registerMarked(() => register(loader, { data }));
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
