// Node 20's module.register() runs its hooks in a thread that runs every
// --require preload again: the program's dotenv/config, APM agents, its
// beforeExit listeners... When our registration started that thread, ours
// skips the preloads after it there (the command line's -r, which come after
// NODE_OPTIONS): they belong to the program's thread alone. Those listed in
// NODE_OPTIONS before ours still run there (docs/reliability.md).
import Module from 'node:module';
import { isMainThread, workerThreads } from '../thread.js';

// Set only while we call module.register(): the thread it starts copies the environment then.
const MARK = 'TANZHEN_HOOKS_THREAD';

/** The hooks thread is the only worker without a parentPort. */
export function inHooksThread(): boolean {
  return !isMainThread() && workerThreads().parentPort === null;
}

export function registerMarked(register: () => void): void {
  process.env[MARK] = '1';
  try {
    register();
  } finally {
    delete process.env[MARK];
  }
}

/** In the hooks thread: the preloads after ours load nothing (all run in one synchronous loop). */
export function skipLaterPreloads(): void {
  if (process.env[MARK] !== '1') return;
  delete process.env[MARK];
  const loader = Module as unknown as { _load: (request: string, parent: { id?: string } | null, isMain: boolean) => unknown };
  const load = loader._load;
  loader._load = function _load(this: unknown, request, parent, isMain) {
    if (parent?.id === 'internal/preload') return {};
    return load.call(this, request, parent, isMain);
  };
  queueMicrotask(() => {
    loader._load = load;
  });
}
